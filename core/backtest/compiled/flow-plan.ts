/**
 * Whether a backtest can run its flow compiled (docs/backtest.md, "The fast path"), and the plan
 * if it can: the flow's nodes from the candles nodes of the backtest's exchange node to its
 * place-order nodes, each with the compiled nodes its outputs lead to (junctions and link nodes
 * resolved away). Reads the flow as Node-RED deployed it (node configs); knows nothing of Node-RED.
 *
 * The trading path is what the candles nodes' messages reach. It may hold only the node types
 * below, plus junctions, link out / link in pairs and debug nodes. A node that is not one of them
 * and sends into the trading path (a function, switch, change, a third-party node, a subflow)
 * makes the backtest use the Node-RED path, and the plan names it. Nodes the trading path only
 * feeds (a debug, a notifier, a function that formats a report) never change a fill: they are
 * left out of the compiled run.
 */
import { resampleError } from '../resample';
import { parseSymbolList } from '../../market/symbol-list';
import { numberSetting } from '../../setting-values';

/** A node as a flow file / Node-RED's deployed config holds it. */
export interface FlowNodeConfig {
  id: string;
  type: string;
  z?: string;
  name?: string;
  d?: boolean;
  disabled?: boolean;
  wires?: string[][];
  links?: string[];
  mode?: string;
  [key: string]: unknown;
}

/** The node types the fast path runs (core objects called directly). */
export const COMPILED_TYPES = ['tradebot-indicator', 'tradebot-strategy', 'tradebot-risk-gate', 'tradebot-place-order'] as const;
export type CompiledType = (typeof COMPILED_TYPES)[number];

export interface PlanNode {
  id: string;
  type: CompiledType;
  name: string;
  config: FlowNodeConfig;
  /** Per output: the compiled nodes it leads to, in wiring order. */
  outputs: string[][];
}

export interface PlanCandles {
  id: string;
  name: string;
  symbols: string[];
  warmup: number;
  /** A longer timeframe than the data's (made from it, core/backtest/resample.ts); undefined: the data's. */
  timeframe?: string;
  /** The compiled nodes its candles go to, in wiring order. */
  targets: string[];
}

export interface FlowPlan {
  candles: PlanCandles[];
  nodes: Map<string, PlanNode>;
}

/** Why a flow runs on the Node-RED path: a sentence, and the node that prevented the fast path (when one did). */
export interface PlanRefusal {
  reason: string;
  node?: { id: string; type: string; name: string };
}

export type PlanOutcome = { plan: FlowPlan } | { refused: PlanRefusal };

/** Nodes that pass messages on unchanged (resolved away), or take them and send nothing on. */
const PASS_THROUGH = new Set(['junction', 'link out', 'link in']);
const SINKS = new Set(['debug']);
/**
 * Nodes that may send into the trading nodes without changing what a backtest does: buttons and
 * chat commands (a kill switch, a force exit) that a person gives by hand, not the replay.
 */
const HARMLESS_SOURCES = new Set(['inject', 'tradebot-telegram-control']);

const isCompiled = (type: string): type is CompiledType => (COMPILED_TYPES as readonly string[]).includes(type);

const label = (n: FlowNodeConfig) => (n.name ? `"${n.name}" (${n.type})` : `${n.type} ${n.id}`);

/**
 * The plan of a flow's backtest: `nodes` are all deployed node configs (tabs included),
 * `exchange` the backtest's exchange node id, `timeframe` its data's timeframe.
 */
export function planFlow(nodes: readonly FlowNodeConfig[], exchange: string, timeframe: string): PlanOutcome {
  const disabledTabs = new Set(nodes.filter((n) => n.type === 'tab' && n.disabled === true).map((n) => n.id));
  // What Node-RED runs: no disabled nodes, nothing on a disabled tab, no node inside a subflow template.
  const subflowTemplates = new Set(nodes.filter((n) => n.type === 'subflow').map((n) => n.id));
  const running = new Map<string, FlowNodeConfig>();
  for (const n of nodes) {
    if (n.d === true || (n.z && (disabledTabs.has(n.z) || subflowTemplates.has(n.z)))) continue;
    running.set(n.id, n);
  }

  /** The targets of a list of wires, through junctions and link nodes; `seen` stops loops of them. */
  const resolve = (ids: readonly string[], seen = new Set<string>()): FlowNodeConfig[] => {
    const out: FlowNodeConfig[] = [];
    for (const id of ids) {
      const n = running.get(id);
      if (!n || seen.has(id)) continue;
      if (!PASS_THROUGH.has(n.type)) {
        out.push(n);
        continue;
      }
      seen.add(id);
      if (n.type === 'link out') {
        // "return" links send back to a link call: not something the fast path follows.
        if (n.mode === 'return') out.push(n);
        else out.push(...resolve((n.links ?? []).filter((l) => running.get(l)?.type === 'link in'), seen));
      } else out.push(...resolve(n.wires?.[0] ?? [], seen));
    }
    return out;
  };
  const outputsOf = (n: FlowNodeConfig) => (n.wires ?? []).map((w) => resolve(w));

  const candles = [...running.values()].filter((n) => n.type === 'tradebot-candles' && n.exchange === exchange && n.source !== 'ticks');
  if (!candles.length) return { refused: { reason: 'no candles node reads this exchange node: nothing to compile' } };
  const longer = new Map<string, string>();
  for (const c of candles) {
    const tf = typeof c.timeframe === 'string' && c.timeframe ? c.timeframe : '1m';
    if (tf === timeframe) continue;
    let error: string;
    try {
      error = resampleError(timeframe, tf);
    } catch (err) {
      error = (err as Error).message;
    }
    if (error) return { refused: { reason: `the candles node ${label(c)} asks for ${error}`, node: ref(c) } };
    longer.set(c.id, tf);
  }

  // Everything the candles nodes' messages reach, in the order they reach it; the tradebot
  // trading nodes among them are the plan.
  const planned = new Map<string, PlanNode>();
  const reached: FlowNodeConfig[] = [];
  const seen = new Set<string>();
  const visit = (n: FlowNodeConfig) => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    reached.push(n);
    if (isCompiled(n.type)) planned.set(n.id, { id: n.id, type: n.type, name: n.name ?? '', config: n, outputs: [] });
  };
  const plannedCandles: PlanCandles[] = [];
  for (const c of candles) {
    let symbols: string[];
    let warmup: number;
    try {
      symbols = parseSymbolList(c.symbols as string | undefined);
      warmup = numberSetting(c.warmup, 'warmup', { fallback: 100, min: 0, max: 5000, integer: true, unit: 'candles' });
    } catch (err) {
      return { refused: { reason: `the candles node ${label(c)} has a bad setting: ${(err as Error).message}`, node: ref(c) } };
    }
    const targets = resolve(c.wires?.[0] ?? []);
    targets.forEach(visit);
    const tf = longer.get(c.id);
    plannedCandles.push({ id: c.id, name: c.name ?? '', symbols, warmup, ...(tf ? { timeframe: tf } : {}), targets: targets.filter((t) => isCompiled(t.type)).map((t) => t.id) });
  }
  for (let i = 0; i < reached.length; i++) outputsOf(reached[i]!).flat().forEach(visit);
  for (const p of planned.values()) p.outputs = outputsOf(p.config).map((targets) => targets.filter((t) => isCompiled(t.type)).map((t) => t.id));

  // The compiled nodes must trade on this exchange node.
  for (const p of planned.values()) {
    if ((p.type === 'tradebot-risk-gate' || p.type === 'tradebot-place-order') && p.config.exchange !== exchange) {
      return { refused: { reason: `${label(p.config)} trades on another exchange node`, node: ref(p.config) } };
    }
  }

  // A node the candles reach that is not compiled must lead nowhere back into the trading nodes
  // (else it is on the trading path), and nothing else may send into them.
  const leadsIntoTrading = reachesPlanned(running, resolve, planned);
  for (const n of reached) {
    if (isCompiled(n.type) || SINKS.has(n.type)) continue;
    if (leadsIntoTrading(n)) return { refused: { reason: `${label(n)} is on the trading path: the fast path runs only tradebot nodes there`, node: ref(n) } };
  }
  for (const n of running.values()) {
    if (seen.has(n.id) || PASS_THROUGH.has(n.type) || HARMLESS_SOURCES.has(n.type) || candles.includes(n)) continue;
    if (outputsOf(n).flat().some((t) => planned.has(t.id))) {
      return { refused: { reason: `${label(n)} sends into the trading path: the fast path cannot replay what it sends`, node: ref(n) } };
    }
  }
  if (![...planned.values()].some((p) => p.type === 'tradebot-place-order')) {
    return { refused: { reason: 'no place-order node is reached from the candles nodes: nothing to compile' } };
  }
  return { plan: { candles: plannedCandles, nodes: planned } };
}

/** Whether a node, or anything it leads to, sends into a planned node. */
function reachesPlanned(running: Map<string, FlowNodeConfig>, resolve: (ids: readonly string[]) => FlowNodeConfig[], planned: Map<string, PlanNode>) {
  return (start: FlowNodeConfig): boolean => {
    const seen = new Set<string>([start.id]);
    const stack = [start];
    while (stack.length) {
      const n = stack.pop()!;
      for (const t of (n.wires ?? []).flatMap((w) => resolve(w))) {
        if (planned.has(t.id)) return true;
        if (!seen.has(t.id) && running.has(t.id)) {
          seen.add(t.id);
          stack.push(t);
        }
      }
    }
    return false;
  };
}

const ref = (n: FlowNodeConfig) => ({ id: n.id, type: n.type, name: n.name ?? '' });
