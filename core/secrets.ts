/**
 * The credential values of every config node in this process, and the one redaction that every
 * text leaving the package passes (statuses, errors, messages, logs, notifications, Telegram
 * replies, report pages). Config nodes register their credentials when they start and release
 * them when they close; everything that shows text to someone calls `redact` / `redactDeep`.
 *
 * What counts as the value: the credential as typed, and the forms an exchange or a library may
 * echo it in: URL-encoded (%2F or %2f, spaces as %20 or +), escaped inside JSON or HTML. A value
 * shorter than MIN_SECRET_LENGTH characters is not redacted: replacing every "ab" in every text
 * would garble prices and words and, by the gaps, still show the value. The config node says so
 * at deploy (see `tooShort`).
 */

/** Shorter credential values cannot be redacted without garbling ordinary text. */
export const MIN_SECRET_LENGTH = 4;
/** What a redacted value is replaced with. */
export const REDACTED = '***';
/** How long a closed config node's values stay redacted: work it started may still report after a redeploy. */
export const RELEASE_DELAY_MS = 60_000;

type Handle = symbol;

export class SecretRegistry {
  private readonly owners = new Map<Handle, string[]>();
  private pattern: RegExp | undefined;
  /** The shortest form: a shorter string cannot hold any (most message fields are short: no regex run). */
  private minLength = Infinity;

  /**
   * Registers credential values (empty and missing ones are skipped). Returns the release
   * function; `delayMs` keeps the values redacted that much longer (a redeploy's stragglers).
   */
  register(values: Iterable<string | undefined | null>): (delayMs?: number) => void {
    const handle: Handle = Symbol('secrets');
    const list = [...values].filter((v): v is string => typeof v === 'string' && v.trim().length >= MIN_SECRET_LENGTH);
    if (list.length) {
      this.owners.set(handle, list);
      this.rebuild();
    }
    let released = false;
    return (delayMs = 0) => {
      if (released) return;
      released = true;
      const drop = () => {
        if (this.owners.delete(handle)) this.rebuild();
      };
      if (delayMs > 0) setTimeout(drop, delayMs).unref();
      else drop();
    };
  }

  /** True when some value is registered (nothing to scan otherwise: the hot path stays free). */
  get active(): boolean {
    return this.pattern !== undefined;
  }

  /** The text with every registered value (in every form) replaced by ***. */
  redact(text: string): string {
    const re = this.pattern;
    if (!re || typeof text !== 'string' || text.length < this.minLength) return text;
    re.lastIndex = 0;
    return re.test(text) ? text.replace(re, REDACTED) : text;
  }

  /**
   * A value with every string in it redacted: plain objects, arrays and Errors are walked (copied
   * only along the paths that change, so an untouched message is returned as it is); other
   * objects (buffers, sockets, http requests riding along in msg.req) are left alone.
   */
  redactDeep<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value, 0, []) as T;
  }

  /** An Error with its message and stack redacted (the same object when there is nothing to hide). */
  redactError<E extends Error>(err: E): E {
    if (!this.pattern || !(err instanceof Error)) return err;
    return this.walk(err, 0, []) as E;
  }

  /** `path`: the objects above this one (a cycle back to one of them is not walked again). */
  private walk(value: unknown, depth: number, path: object[]): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object' || depth > 32 || path.includes(value)) return value;
    if (value instanceof Error) return this.walkError(value, depth, path);
    const proto = Object.getPrototypeOf(value);
    if (Array.isArray(value)) {
      path.push(value);
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = this.walk(value[i], depth + 1, path);
        if (v !== value[i]) (copy ??= value.slice())[i] = v;
      }
      path.pop();
      return copy ?? value;
    }
    if (proto !== Object.prototype && proto !== null) return value;
    path.push(value);
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const before = (value as Record<string, unknown>)[key];
      const after = this.walk(before, depth + 1, path);
      if (after !== before) (copy ??= { ...(value as Record<string, unknown>) })[key] = after;
    }
    path.pop();
    return copy ?? value;
  }

  private walkError(err: Error, depth: number, path: object[]): Error {
    const message = this.redact(err.message);
    const stack = typeof err.stack === 'string' ? this.redact(err.stack) : err.stack;
    const extra: Record<string, unknown> = {};
    let changed = message !== err.message || stack !== err.stack;
    path.push(err);
    for (const key of Object.keys(err)) {
      const before = (err as unknown as Record<string, unknown>)[key];
      const after = this.walk(before, depth + 1, path);
      extra[key] = after;
      if (after !== before) changed = true;
    }
    const cause = (err as { cause?: unknown }).cause;
    const redactedCause = cause === undefined ? undefined : this.walk(cause, depth + 1, path);
    if (redactedCause !== cause) changed = true;
    path.pop();
    if (!changed) return err;
    // A new Error of the same kind: the original may be shared (ccxt keeps some) and stays as it was.
    const copy = Object.create(Object.getPrototypeOf(err)) as Error;
    Object.assign(copy, extra);
    Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true, enumerable: false });
    if (cause !== undefined) Object.defineProperty(copy, 'cause', { value: redactedCause, writable: true, configurable: true, enumerable: false });
    if (copy.name !== err.name) Object.defineProperty(copy, 'name', { value: err.name, writable: true, configurable: true, enumerable: false });
    return copy;
  }

  private rebuild(): void {
    const forms = new Set<string>();
    for (const list of this.owners.values()) for (const value of list) for (const form of encodedForms(value)) forms.add(form);
    if (!forms.size) {
      this.pattern = undefined;
      this.minLength = Infinity;
      return;
    }
    this.minLength = Math.min(...[...forms].map((f) => f.length));
    // Longest first, so a value containing another is replaced whole.
    const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }
}

/** The value and the ways a URL, a form body or a JSON text may carry it. */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>([value, value.trim()]);
  const uri = encodeURIComponent(value);
  forms.add(uri);
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(uri.replace(/%20/g, '+'));
  forms.add(new URLSearchParams({ v: value }).toString().slice(2));
  forms.add(encodeURI(value));
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Which of the given credential fields are set but too short to be redacted (for a deploy warning). */
export function tooShort(credentials: Record<string, string | undefined | null>): string[] {
  return Object.entries(credentials)
    .filter(([, v]) => typeof v === 'string' && v.trim().length > 0 && v.trim().length < MIN_SECRET_LENGTH)
    .map(([k]) => k);
}

// One registry per process, even if two copies of the package are loaded (a packed install and a
// linked one): whichever copy registers a value, every copy redacts it.
const KEY = Symbol.for('node-red-contrib-tradebot.secrets');
const holder = globalThis as unknown as Record<symbol, SecretRegistry | undefined>;
export const secrets: SecretRegistry = (holder[KEY] ??= new SecretRegistry());

/** Shorthands for the process's registry. */
export const redact = (text: string): string => secrets.redact(text);
export const redactDeep = <T>(value: T): T => secrets.redactDeep(value);
