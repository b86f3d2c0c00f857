/**
 * Reads backtest history from files: JSON in ccxt's OHLCV layout (`[[ts, open, high, low, close,
 * volume], ...]`) or CSV with a header naming the columns (timestamp or time or date, open, high,
 * low, close, volume; the time in ms, seconds, or ISO 8601). Rows are sorted; duplicates, rows
 * with a bad number and gaps are reported, never repaired silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OhlcvRow } from '../contract';

export interface LoadedSeries {
  rows: OhlcvRow[];
  /** Problems found and what was done about them. */
  notes: string[];
}

/** "BTC/USDT = data/btc.json, ETH/USDT = eth.csv" (or one per line) -> symbol -> path. */
export function parseDataList(text: string): Array<{ symbol: string; file: string }> {
  return text
    .split(/[\n,;]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, i) => {
      const m = /^([A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+)\s*=\s*(.+)$/.exec(part);
      if (!m) throw new Error(`backtestData[${i}]: "${part}" must look like BTC/USDT = path/to/file.json`);
      return { symbol: m[1]!.toUpperCase(), file: m[2]!.trim() };
    });
}

function toMs(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    return n < 1e11 ? n * 1000 : n; // seconds or milliseconds
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`"${value}" is not a time`);
  return t;
}

export function loadSeries(file: string, baseDir: string): LoadedSeries {
  const full = path.isAbsolute(file) ? file : path.join(baseDir, file);
  if (!fs.existsSync(full)) throw new Error(`backtest data file ${file} not found (looked at ${full})`);
  const text = fs.readFileSync(full, 'utf8');
  let raw: unknown[][];
  if (/^\s*\[/.test(text)) {
    raw = JSON.parse(text);
  } else {
    const lines = text.split(/\r?\n/).filter((l) => l.trim());
    const header = lines.shift()!.split(',').map((h) => h.trim().toLowerCase());
    const col = (names: string[]) => {
      const i = header.findIndex((h) => names.includes(h));
      if (i < 0) throw new Error(`${file}: the CSV header needs a ${names[0]} column (it has ${header.join(', ')})`);
      return i;
    };
    const idx = [col(['timestamp', 'time', 'date', 'ts']), col(['open']), col(['high']), col(['low']), col(['close']), col(['volume', 'vol'])];
    raw = lines.map((l) => {
      const cells = l.split(',').map((c) => c.trim());
      return [toMs(cells[idx[0]!]!), ...idx.slice(1).map((i) => Number(cells[i]))];
    });
  }
  const notes: string[] = [];
  const rows: OhlcvRow[] = [];
  raw.forEach((r, i) => {
    const row = r.map(Number) as OhlcvRow;
    if (row.length < 5 || row.slice(0, 5).some((x) => !Number.isFinite(x))) {
      notes.push(`row ${i} skipped: not [ts, open, high, low, close, volume]`);
      return;
    }
    rows.push([row[0], row[1], row[2], row[3], row[4], Number.isFinite(row[5]) ? row[5] : 0]);
  });
  rows.sort((a, b) => a[0] - b[0]);
  const unique = rows.filter((r, i) => i === 0 || r[0] !== rows[i - 1]![0]);
  if (unique.length < rows.length) notes.push(`${rows.length - unique.length} duplicate candles dropped`);
  return { rows: unique, notes };
}
