/**
 * Reads backtest history from files: JSON in ccxt's OHLCV layout (`[[ts, open, high, low, close,
 * volume], ...]`) or CSV with a header naming the columns (timestamp or time or date, open, high,
 * low, close, volume; the time in ms, seconds, or ISO 8601). Rows are sorted; duplicates, rows
 * with a bad number and gaps are reported, never repaired silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OhlcvRow } from '../contract';

/**
 * What the checks of one history file found. Nothing is repaired silently: every row dropped or
 * changed is counted here, shown in the backtest node's status and report, and logged.
 */
export interface DataChecks {
  /** The file as configured. */
  file: string;
  symbol?: string;
  /** Rows kept for the replay. */
  rows: number;
  /** Rows dropped: a time or an open/high/low/close that is not a number (NaN, empty, text), a negative price, or a volume that is text. */
  invalidRows: number;
  /** Rows whose volume was empty or missing: kept, with volume 0. */
  emptyVolumes: number;
  /** Rows with the time of an earlier row: dropped (the first row of that time is kept). */
  duplicateTimes: number;
  /**
   * The first line of each kind: the line number in a CSV file (the header is line 1), the
   * position in a JSON file's array (the first row is 1).
   */
  firstInvalidLine?: number;
  firstEmptyVolumeLine?: number;
  firstDuplicateLine?: number;
}

export interface LoadedSeries {
  rows: OhlcvRow[];
  /** Problems found and what was done about them, one sentence each. */
  notes: string[];
  checks: DataChecks;
}

/** Whether the checks found anything a user should know about. */
export function hasDataProblems(c: DataChecks): boolean {
  return c.invalidRows + c.emptyVolumes + c.duplicateTimes > 0;
}

/** "3 invalid rows dropped, 1 empty volume, 2 duplicate times": the counts that are not 0. */
export function describeDataCounts(c: Pick<DataChecks, 'invalidRows' | 'emptyVolumes' | 'duplicateTimes'>): string {
  const parts: string[] = [];
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (c.invalidRows) parts.push(`${plural(c.invalidRows, 'invalid row', 'invalid rows')} dropped`);
  if (c.emptyVolumes) parts.push(`${plural(c.emptyVolumes, 'empty volume', 'empty volumes')} (taken as 0)`);
  if (c.duplicateTimes) parts.push(`${plural(c.duplicateTimes, 'duplicate time', 'duplicate times')} dropped`);
  return parts.join(', ');
}

/** Where each kind of problem first showed: "first invalid at line 7, first duplicate at line 9" (rows in JSON files). */
export function describeFirstProblems(c: DataChecks): string {
  const unit = /\.json$/i.test(c.file) ? 'row' : 'line';
  return [
    c.firstInvalidLine !== undefined ? `first invalid at ${unit} ${c.firstInvalidLine}` : '',
    c.firstEmptyVolumeLine !== undefined ? `first empty volume at ${unit} ${c.firstEmptyVolumeLine}` : '',
    c.firstDuplicateLine !== undefined ? `first duplicate at ${unit} ${c.firstDuplicateLine}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** The one warning line for a file with problems, naming the file, the counts and the first line of each kind. */
export function dataWarning(c: DataChecks): string {
  return `backtest data ${c.file}${c.symbol ? ` (${c.symbol})` : ''}: ${describeDataCounts(c)}; ${c.rows} rows kept (${describeFirstProblems(c)})`;
}

/** The history list's parser is zod- and fs-free, for the editor too (core/exchange-setting-rules.ts). */
export { parseDataList } from '../exchange-setting-rules';

/** A time in ms, seconds or ISO 8601; NaN when it is none of them. */
function toMs(value: string | undefined): number {
  const text = (value ?? '').trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return n < 1e11 ? n * 1000 : n; // seconds or milliseconds
  }
  return text ? Date.parse(text) : NaN;
}

/** A CSV cell or JSON value as a number: NaN for empty, text, null, booleans. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

/** An empty volume: missing, blank, or null (JSON). */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function loadSeries(file: string, baseDir: string, symbol?: string): LoadedSeries {
  const full = path.isAbsolute(file) ? file : path.join(baseDir, file);
  if (!fs.existsSync(full)) throw new Error(`backtest data file ${file} not found (looked at ${full})`);
  const text = fs.readFileSync(full, 'utf8');
  /** Each row as read: its line (CSV) or position (JSON), the time, and the five values as found. */
  const raw: Array<{ line: number; ts: number; values: unknown[] }> = [];
  if (/^\s*\[/.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new Error(`backtest data file ${file}: not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(parsed)) throw new Error(`backtest data file ${file}: a JSON file must be an array of [time, open, high, low, close, volume] rows`);
    parsed.forEach((r, i) => {
      const row = Array.isArray(r) ? r : [];
      raw.push({ line: i + 1, ts: typeof row[0] === 'string' ? toMs(row[0]) : toNumber(row[0]), values: row.slice(1, 6) });
    });
  } else {
    const lines = text.split(/\r?\n/);
    const headerAt = lines.findIndex((l) => l.trim());
    if (headerAt < 0) throw new Error(`backtest data file ${file} is empty`);
    const header = lines[headerAt]!.split(',').map((h) => h.trim().toLowerCase());
    const col = (names: string[]) => {
      const i = header.findIndex((h) => names.includes(h));
      if (i < 0) throw new Error(`${file}: the CSV header needs a ${names[0]} column (it has ${header.join(', ')})`);
      return i;
    };
    const idx = [col(['timestamp', 'time', 'date', 'ts']), col(['open']), col(['high']), col(['low']), col(['close']), col(['volume', 'vol'])];
    for (let n = headerAt + 1; n < lines.length; n++) {
      if (!lines[n]!.trim()) continue;
      const cells = lines[n]!.split(',');
      raw.push({ line: n + 1, ts: toMs(cells[idx[0]!]), values: idx.slice(1).map((i) => cells[i]) });
    }
  }

  const checks: DataChecks = { file, symbol, rows: 0, invalidRows: 0, emptyVolumes: 0, duplicateTimes: 0 };
  const kept: Array<{ line: number; row: OhlcvRow }> = [];
  for (const { line, ts, values } of raw) {
    const [open, high, low, close] = values.slice(0, 4).map(toNumber) as [number, number, number, number];
    const volumeBlank = isBlank(values[4]);
    const volume = volumeBlank ? 0 : toNumber(values[4]);
    if (![ts, open, high, low, close, volume].every(Number.isFinite) || open < 0 || high < 0 || low < 0 || close < 0 || volume < 0) {
      checks.invalidRows++;
      checks.firstInvalidLine ??= line;
      continue;
    }
    if (volumeBlank) {
      checks.emptyVolumes++;
      checks.firstEmptyVolumeLine ??= line;
    }
    kept.push({ line, row: [ts, open, high, low, close, volume] });
  }
  // Stable: rows of the same time stay in file order, so the first one in the file is kept.
  kept.sort((a, b) => a.row[0] - b.row[0]);
  const rows: OhlcvRow[] = [];
  for (const k of kept) {
    if (rows.length && rows[rows.length - 1]![0] === k.row[0]) {
      checks.duplicateTimes++;
      if (checks.firstDuplicateLine === undefined || k.line < checks.firstDuplicateLine) checks.firstDuplicateLine = k.line;
      continue;
    }
    rows.push(k.row);
  }
  checks.rows = rows.length;
  if (rows.length === 0) throw new Error(`backtest data file ${file}: no valid rows${checks.invalidRows ? ` (${checks.invalidRows} invalid, the first at ${/^\s*\[/.test(text) ? 'row' : 'line'} ${checks.firstInvalidLine})` : ''}`);
  const notes = hasDataProblems(checks) ? [dataWarning(checks)] : [];
  return { rows, notes, checks };
}
