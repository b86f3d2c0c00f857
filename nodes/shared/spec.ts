/**
 * A node's spec: the one description of its settings that the runtime and the editor share. Pure
 * TypeScript (no Node-RED, no DOM): nodes/<node>/spec.ts describes a node, the runtime reads its
 * config with the same defaults and core parsers, and the editor bundle (editor/) turns it into the
 * `registerType` defaults and validators. Ranges, kinds and defaults come from core/.
 */

/**
 * Checks one field. `field(prop)` reads another field of the same node (while the dialog is open,
 * what the user is typing). Returns true, or what is wrong: the rest of a sentence that starts with
 * the field's label ("must be a whole number from 1 to 10000", or after a colon: ': "x" is not a
 * chat id'), or, for a field without a label, a whole sentence.
 */
export type FieldCheck = (value: any, field: (prop: string) => any) => true | string;

export interface FieldSpec {
  /** The value a new node starts with. */
  value: unknown;
  /** The field's label in the dialog (the text of its <label>, or the words before it in its row). */
  label?: string;
  check?: FieldCheck;
  /** The editor's own "property value missing" check. */
  required?: boolean;
  /** A config node field: the config node type, and what the message calls one ("an exchange"). */
  config?: { type: string; what: string; needed?: (field: (prop: string) => any) => boolean; optional?: boolean };
}

/** How a node type looks in the palette and on the canvas. */
export interface NodeLook {
  category: string;
  color: string;
  paletteLabel: string;
  icon: string;
  inputs: number;
  outputs: number;
  inputLabels?: string | string[];
  outputLabels?: string | string[];
  align?: 'left' | 'right';
}

export interface NodeSpec<Config = Record<string, unknown>> extends NodeLook {
  type: string;
  defaults: Record<keyof Config & string, FieldSpec>;
  /** The node's label on the canvas when it has no name. */
  defaultName(config: Partial<Config>): string;
}

export function blank(v: unknown): boolean {
  return v === '' || v === null || v === undefined;
}

export function isNum(v: unknown): boolean {
  return !blank(v) && typeof v !== 'boolean' && Number.isFinite(Number(v));
}

export function text(v: unknown): string {
  return blank(v) ? '' : String(v);
}

/** A field check for a whole number in [min, max]: "must be a whole number from 1 to 10000". */
export function wholeNumber(range: { min: number; max: number }, optional = false): FieldCheck {
  return (v) => {
    if (optional && blank(v)) return true;
    const n = Number(v);
    return (!blank(v) && typeof v !== 'boolean' && Number.isInteger(n) && n >= range.min && n <= range.max) || `must be a whole number from ${range.min} to ${range.max}`;
  };
}

/** A field check for one of a list of choices. */
export function oneOf(values: readonly string[]): FieldCheck {
  return (v) => values.includes(v) || `must be one of ${values.join(', ')}`;
}

/** The first message of a node's field checks for `config`, each with its label in front; [] when all pass. */
export function specErrors(spec: NodeSpec<any>, config: Record<string, unknown>): string[] {
  const field = (prop: string) => (prop in config ? config[prop] : (spec.defaults as Record<string, FieldSpec>)[prop]?.value);
  const errors: string[] = [];
  for (const [prop, f] of Object.entries(spec.defaults as Record<string, FieldSpec>)) {
    if (!f.check) continue;
    const r = f.check(field(prop), field);
    if (r !== true) errors.push(f.label ? `${f.label}${r.startsWith(':') ? '' : ' '}${r}` : r);
  }
  return errors;
}
