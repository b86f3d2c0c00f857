/**
 * Bitfinex order book views for MockBitfinex: the entries a REST /v2/book request or a ws `book`
 * channel shows for a precision and length, the updates that turn one view into the next, and
 * the book checksum (`[chanId, "cs", n]`) that ccxt pro bitfinex.handleChecksum verifies.
 *
 * Entries:  P0..P4 (aggregated)  [PRICE, COUNT, AMOUNT]     AMOUNT > 0 bid, < 0 ask
 *           R0 (raw, per order)   [ORDER_ID, PRICE, AMOUNT]
 * A level leaving the view is sent as COUNT 0 (P*) or PRICE 0 (R0) with AMOUNT 1 (bid) / -1 (ask).
 * The mock has one order per price level, so COUNT is the number of levels merged by P1..P4.
 */

export type BookEntry = [number, number, number];
export interface BookView {
  bids: BookEntry[];
  asks: BookEntry[];
}

/** P0..P4 round prices to 5..1 significant digits (Bitfinex's precision levels); R0 is raw. */
export const PRECISIONS = ['P0', 'P1', 'P2', 'P3', 'P4', 'R0'];

/** A level's id in raw (R0) books: stable per side and price. */
export type LevelId = (side: 'bid' | 'ask', price: number) => number;

function aggregate(levels: Map<number, number>, digits: number, side: 'bid' | 'ask', len: number): BookEntry[] {
  const grouped = new Map<number, { count: number; size: number }>();
  for (const [price, size] of levels) {
    if (size <= 0) continue;
    const p = Number(price.toPrecision(digits));
    const g = grouped.get(p) ?? { count: 0, size: 0 };
    g.count++;
    g.size = Math.round((g.size + size) * 1e8) / 1e8;
    grouped.set(p, g);
  }
  return [...grouped.entries()]
    .sort((x, y) => (side === 'bid' ? y[0] - x[0] : x[0] - y[0]))
    .slice(0, len)
    .map(([p, g]) => [p, g.count, side === 'bid' ? g.size : -g.size]);
}

export function bookView(bids: Map<number, number>, asks: Map<number, number>, prec: string, len: number, idOf: LevelId): BookView {
  if (prec === 'R0') {
    const raw = (levels: Map<number, number>, side: 'bid' | 'ask'): BookEntry[] =>
      [...levels.entries()]
        .filter(([, size]) => size > 0)
        .sort((x, y) => (side === 'bid' ? y[0] - x[0] : x[0] - y[0]))
        .slice(0, len)
        .map(([price, size]) => [idOf(side, price), price, side === 'bid' ? size : -size]);
    return { bids: raw(bids, 'bid'), asks: raw(asks, 'ask') };
  }
  const digits = 5 - Number(prec.slice(1));
  return { bids: aggregate(bids, digits, 'bid', len), asks: aggregate(asks, digits, 'ask', len) };
}

/** The updates, in Bitfinex's entry form, that turn view `prev` into `next`. */
export function bookUpdates(prev: BookView, next: BookView): BookEntry[] {
  const out: BookEntry[] = [];
  for (const side of ['bids', 'asks'] as const) {
    const before = new Map(prev[side].map((e) => [e[0], e]));
    const after = new Map(next[side].map((e) => [e[0], e]));
    const gone = side === 'bids' ? 1 : -1;
    // keyed by PRICE (P*) or ORDER_ID (R0); either way the removal is [key, 0, ±1]
    for (const [key] of before) if (!after.has(key)) out.push([key, 0, gone]);
    for (const [key, e] of after) {
      const old = before.get(key);
      if (!old || old[1] !== e[1] || old[2] !== e[2]) out.push(e);
    }
  }
  return out;
}

/** A number as ccxt's numberToString writes it (no exponent): what the checksum string is made of. */
export function plainNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, '');
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/** CRC-32 (zlib's), as a signed 32-bit integer like Bitfinex sends it. */
export function crc32Signed(text: string): number {
  let crc = -1;
  for (const byte of Buffer.from(text, 'utf8')) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ byte) & 0xff]!;
  return (crc ^ -1) | 0;
}

/**
 * Bitfinex's book checksum: the top 25 bids and asks interleaved (bid, ask, bid, ...) as
 * "PRICE:AMOUNT" (R0: "ORDER_ID:AMOUNT"), asks with their negative amounts, joined by ':'.
 */
export function bookChecksum(view: BookView): number {
  const parts: string[] = [];
  // entry[0] is the PRICE (P*) or the ORDER_ID (R0), entry[2] the signed AMOUNT
  for (let i = 0; i < 25; i++) {
    const bid = view.bids[i];
    const ask = view.asks[i];
    if (bid) parts.push(plainNumber(bid[0]), plainNumber(bid[2]));
    if (ask) parts.push(plainNumber(ask[0]), plainNumber(ask[2]));
  }
  return crc32Signed(parts.join(':'));
}
