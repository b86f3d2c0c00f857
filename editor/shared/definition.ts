/** A node spec (nodes/<node>/spec.ts) as the editor registers it: defaults with validators, palette look, label. */
import type { FieldSpec, NodeSpec } from '../../nodes/shared/spec';
import { edited } from './values';
import { needsConfig, says } from './validators';

/** Which node's dialog is open: while it is, validators read the fields being edited. */
export const editing = { id: null as string | null };

/** The editor field for one spec field: its default, and a validator worded with the field's label. */
export function editorField(f: FieldSpec): EditorField {
  const out: EditorField = { value: f.value };
  if (f.required) out.required = true;
  if (f.config) {
    const needed = f.config.needed;
    out.type = f.config.type;
    // An optional config node: the editor's own check (a selected one must be valid) is enough.
    if (f.config.optional) out.required = false;
    else out.validate = needsConfig(f.label ?? '', f.config.what, needed && function (this: EditorNode) {
      return needed((p) => edited(editing.id, this, p));
    });
  } else if (f.check) {
    const check = f.check;
    out.validate = says(f.label, function (this: EditorNode, v: any) {
      return check(v, (p) => edited(editing.id, this, p));
    });
  }
  return out;
}

/**
 * The registerType definition of a node spec, with `extra` (dialog code: oneditprepare, onadd, …)
 * merged in. The dialog's open/close hooks keep `editing` current for the validators.
 */
export function fromSpec(spec: NodeSpec<any>, extra: Partial<NodeDefinition> = {}): NodeDefinition {
  const defaults: Record<string, EditorField> = {};
  for (const [prop, f] of Object.entries(spec.defaults as Record<string, FieldSpec>)) defaults[prop] = editorField(f);
  const def: NodeDefinition = {
    category: spec.category,
    color: spec.color,
    paletteLabel: spec.paletteLabel,
    defaults,
    inputs: spec.inputs,
    outputs: spec.outputs,
    icon: spec.icon,
    label: function () {
      return this.name || spec.defaultName(this);
    },
    labelStyle: function () {
      return this.name ? 'node_label_italic' : '';
    },
    ...extra,
  };
  if (spec.inputLabels !== undefined) def.inputLabels = spec.inputLabels;
  if (spec.outputLabels !== undefined) def.outputLabels = spec.outputLabels;
  if (spec.align) def.align = spec.align;
  if (spec.category === 'config') {
    // A config node has no ports, icon or palette entry; its name shows in the pickers as it is.
    for (const key of ['inputs', 'outputs', 'icon', 'color', 'paletteLabel', 'labelStyle']) delete def[key];
  }
  const prepare = extra.oneditprepare;
  const save = extra.oneditsave;
  const cancel = extra.oneditcancel;
  def.oneditprepare = function () {
    editing.id = this.id;
    if (prepare) prepare.call(this);
  };
  def.oneditsave = function () {
    editing.id = null;
    return save ? save.call(this) : undefined;
  };
  def.oneditcancel = function () {
    editing.id = null;
    if (cancel) cancel.call(this);
  };
  return def;
}
