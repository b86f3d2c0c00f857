/**
 * The kinds of failure the package tells apart by class, never by the words of a message (the
 * words are for people and may change; tests and docs check them, code does not):
 *  - ValidationError: a message's input is not valid (msg.payload.side: ...). The node ends the
 *    message with done(err) and the metrics count a validation failure.
 *  - ConfigError: a setting is not valid (risk.maxNotional: ...). Found while a node is set up,
 *    it leaves the node in the flow, red and inert (nodes/shared/config-error.ts).
 * Their name stays "Error" (what people see is "Error: msg.payload.side: ..."), as before the
 * classes existed; subclasses that always had a name of their own keep it. Each carries `kind`, so a check also holds for an error made by another copy of this module
 * (a second install of the package in one Node-RED), where instanceof would not.
 */

export type ErrorKind = 'validation' | 'config';

/** A message's input that is not valid; `field` is the first field named (msg.payload.side). */
export class ValidationError extends Error {
  readonly kind: ErrorKind = 'validation';
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/** A setting that is not valid; `field` is the first setting named (risk.maxNotional). */
export class ConfigError extends Error {
  readonly kind: ErrorKind = 'config';
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

/**
 * The error for a field that can be a message's or a setting's: parsers that take `where` (a
 * sweep from msg.optimise or from the node's Optimise tab) say which by the field they name.
 */
export function fieldError(field: string, message: string): ValidationError | ConfigError {
  return isMessageField(field) ? new ValidationError(message, field) : new ConfigError(message, field);
}

/** msg.payload, msg.topic, msg.optimise...: a field of the message being handled. */
export const isMessageField = (field: string): boolean => field === 'msg' || field.startsWith('msg.');

export const isValidationError = (err: unknown): err is ValidationError => err instanceof ValidationError || (err as { kind?: unknown } | null)?.kind === 'validation';

export const isConfigError = (err: unknown): err is ConfigError => err instanceof ConfigError || (err as { kind?: unknown } | null)?.kind === 'config';
