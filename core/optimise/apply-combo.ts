/**
 * A combination put into the flow: the settings it stands for, and copies of the flow's node
 * configs with those settings set (the nodes a run is built from). The flow given is never
 * changed.
 */
import { fieldError } from '../errors';
import type { Combo } from './search';
import type { ParamValue, Sweep } from './sweep-spec';

export interface ComboSetting {
  node: string;
  param: string;
  value: ParamValue;
}

/** The settings a combination stands for, in the order of sweep.params (for reports). */
export function comboSettings(sweep: Pick<Sweep, 'params'>, combo: Combo): ComboSetting[] {
  if (combo.length !== sweep.params.length) throw new Error(`a combination of ${combo.length} values for ${sweep.params.length} parameters`);
  return sweep.params.map((p, i) => ({ node: p.node, param: p.param, value: combo[i]! }));
}

type NodeConfig = { id: string; [key: string]: unknown };

/**
 * The flow's nodes with the combination's settings set at their dotted paths. Only the nodes
 * (and lists) on a changed path are copied. A setting the config holds as text (a rule operand,
 * a number typed in the editor) is written as text, so the node reads it as it reads its own.
 * Throws naming the parameter when a path does not lead to a setting.
 */
export function applyCombo<T extends NodeConfig>(nodes: readonly T[], sweep: Pick<Sweep, 'params'>, combo: Combo, where = 'msg.optimise'): T[] {
  const out = nodes.slice();
  comboSettings(sweep, combo).forEach(({ node, param, value }, i) => {
    const at = out.findIndex((n) => n.id === node);
    if (at < 0) throw fieldError(`${where}.params.${i}.node`, `${where}.params.${i}.node: no node with id "${node}" in the flow`);
    const changed = setPath(out[at]!, param.split('.'), value);
    if (changed === undefined) throw fieldError(`${where}.params.${i}.param`, `${where}.params.${i}.param: node ${node} has no setting "${param}"`);
    out[at] = changed as T;
  });
  return out;
}

/** A copy of target with value at path; undefined when the path does not lead to a setting. */
function setPath(target: unknown, path: string[], value: ParamValue): unknown {
  const [key, ...rest] = path as [string, ...string[]];
  const isList = Array.isArray(target);
  if (typeof target !== 'object' || target === null || (isList && !/^\d+$/.test(key))) return undefined;
  const copy: Record<string, unknown> | unknown[] = isList ? (target as unknown[]).slice() : { ...(target as Record<string, unknown>) };
  const current = (copy as Record<string, unknown>)[key];
  if (rest.length) {
    const inner = current === undefined ? undefined : setPath(current, rest, value);
    if (inner === undefined) return undefined;
    (copy as Record<string, unknown>)[key] = inner;
  } else {
    (copy as Record<string, unknown>)[key] = typeof current === 'string' ? String(value) : value;
  }
  return copy;
}
