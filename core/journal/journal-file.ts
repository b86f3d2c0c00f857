/**
 * Where the SQLite journal lives, in this order:
 *   1. `tradebotJournalFile` in Node-RED's settings.js,
 *   2. the environment variable TRADEBOT_JOURNAL_FILE,
 *   3. `tradebot-journal.sqlite` beside the state file (core/storage/state-file.ts): in the
 *      Node-RED user directory unless the state file was moved,
 *   4. none (Node-RED without a user dir and no state file): undefined, a temporary file.
 * A relative path starts at the user directory (else the working directory).
 * `tradebotJournalMaxMB` caps its size (a Raspberry Pi's SD card): writes past it fail with a
 * status until retention frees room, and trading goes on.
 */
import path from 'node:path';

export const JOURNAL_FILE_NAME = 'tradebot-journal.sqlite';

export function resolveJournalFile(o: { setting?: unknown; env?: string; userDir?: string; stateFile?: string }): string | undefined {
  if (o.setting !== undefined && o.setting !== null && o.setting !== '') {
    if (typeof o.setting !== 'string') throw new Error(`settings.js tradebotJournalFile: must be a file path (text), got ${typeof o.setting}`);
    return path.resolve(o.userDir ?? process.cwd(), o.setting);
  }
  if (o.env) return path.resolve(o.userDir ?? process.cwd(), o.env);
  if (o.stateFile) return path.join(path.dirname(o.stateFile), JOURNAL_FILE_NAME);
  if (o.userDir) return path.join(o.userDir, JOURNAL_FILE_NAME);
  return undefined;
}

/** settings.js tradebotJournalMaxMB: a positive number of megabytes, or nothing. */
export function journalMaxBytes(setting: unknown): number | undefined {
  if (setting === undefined || setting === null || setting === '') return undefined;
  const mb = Number(setting);
  if (!(mb > 0) || !Number.isFinite(mb)) throw new Error(`settings.js tradebotJournalMaxMB: must be a positive number of megabytes, got ${JSON.stringify(setting)}`);
  return Math.round(mb * 1024 * 1024);
}
