/**
 * The core's logging seam. The core never imports Node-RED: whoever creates a session hands it a
 * Logger (the exchange config node builds one on its own log, warn and error, which redact every
 * credential), and a failure the core handles by itself is written there instead of dropped.
 * Tests and benchmarks use `silentLogger`, `consoleLogger` or a `MemoryLogger`.
 */

export interface Logger {
  /** Detail for whoever debugs (Node-RED shows it at log level debug). */
  debug(text: string): void;
  /** Something worth knowing that needs nothing done (a feed recovered, where state is kept). */
  info(text: string): void;
  /** A failure the core works around or retries; the user may have to act if it lasts. */
  warn(text: string): void;
  /** A failure that loses something (an order's state not saved, a feed given up). */
  error(text: string): void;
}

export type LogLevel = keyof Logger;

/** Writes nothing: for sessions whose failures a test asserts some other way. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Writes to the console, prefixed (benchmarks, scripts). */
export function consoleLogger(prefix = 'tradebot'): Logger {
  return {
    debug: (text) => console.debug(`${prefix}: ${text}`),
    info: (text) => console.info(`${prefix}: ${text}`),
    warn: (text) => console.warn(`${prefix}: ${text}`),
    error: (text) => console.error(`${prefix}: ${text}`),
  };
}

/** Keeps every line (tests read them). */
export class MemoryLogger implements Logger {
  readonly lines: Array<{ level: LogLevel; text: string }> = [];
  debug(text: string): void {
    this.lines.push({ level: 'debug', text });
  }
  info(text: string): void {
    this.lines.push({ level: 'info', text });
  }
  warn(text: string): void {
    this.lines.push({ level: 'warn', text });
  }
  error(text: string): void {
    this.lines.push({ level: 'error', text });
  }
  /** The lines of one level, or all of them. */
  texts(level?: LogLevel): string[] {
    return this.lines.filter((l) => !level || l.level === level).map((l) => l.text);
  }
}

/** A logger whose every text first passes `redact` (credentials out, whatever the logger behind does). */
export function redactingLogger(logger: Logger, redact: (text: string) => string): Logger {
  return {
    debug: (text) => logger.debug(redact(text)),
    info: (text) => logger.info(redact(text)),
    warn: (text) => logger.warn(redact(text)),
    error: (text) => logger.error(redact(text)),
  };
}

/** The message of anything thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Logs a repeating failure once per change of state, as a Node-RED log is read: the first failure
 * of `key` (a feed, a save) is written, the retries that fail the same way are not, and the
 * recovery is written once. A failure with a different text while still failing is not written
 * either (a retry counter in the text would otherwise flood the log).
 */
export class StateChangeLog {
  private readonly failing = new Map<string, string>();

  constructor(
    private readonly logger: Logger,
    private readonly level: 'warn' | 'error' = 'warn',
  ) {}

  /** `key` failed: written if it was not failing already. */
  fail(key: string, text: string): void {
    if (this.failing.has(key)) return;
    this.failing.set(key, text);
    this.logger[this.level](text);
  }

  /** `key` works: its recovery is written if it was failing (`text` says what is back). */
  ok(key: string, text: string): void {
    if (!this.failing.delete(key)) return;
    this.logger.info(text);
  }

  /** Whether `key` is failing now. */
  isFailing(key: string): boolean {
    return this.failing.has(key);
  }

  /** Forgets `key` (its feed stopped): a new one starts with a clean slate. */
  forget(key: string): void {
    this.failing.delete(key);
  }
}
