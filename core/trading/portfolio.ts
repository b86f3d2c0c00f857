/**
 * Balances and positions of one account, free of any exchange: what the risk gate reads and
 * every fill updates. Spot only: a position is the base amount bought and not yet sold, with its
 * average entry price; realized P&L is booked on sells, net of fees.
 */
import type { Side } from '../contract';
import { splitSymbol } from '../market/symbol';

export interface Balance {
  free: number;
  used: number;
}

export interface Position {
  symbol: string;
  amount: number;
  /** Average entry price, fees on buys included. */
  avgEntry: number;
  realizedPnl: number;
  /** Fees paid on this symbol, in quote currency. */
  fees: number;
  lastTradeTs: number;
  /** Realized P&L of the last sell, for cooldown-after-loss. */
  lastTradePnl: number;
}

export interface Fill {
  symbol: string;
  side: Side;
  amount: number;
  price: number;
  fee: { cost: number; currency: string };
  ts: number;
}

export interface PortfolioSnapshot {
  balances: Record<string, Balance>;
  positions: Record<string, Position>;
  /** Realized P&L per UTC day, yyyy-mm-dd -> quote amount. */
  dailyPnl: Record<string, number>;
  /** Highest equity seen (drawdown breaker). */
  peakEquity: number;
  lastPrices: Record<string, number>;
}

/** Amounts below this are dust left by rounding, not a position. */
const DUST = 1e-12;

/** The UTC day of the last time asked for: a run's fills fall on the same day many times in a row. */
let lastDay = { n: NaN, text: '' };
/** The UTC day (yyyy-mm-dd) of a time. */
function dayOf(ts: number): string {
  const n = Math.floor(ts / 86_400_000);
  if (n === lastDay.n) return lastDay.text;
  const text = new Date(ts).toISOString().slice(0, 10);
  lastDay = { n, text };
  return text;
}

export class Portfolio {
  private balances = new Map<string, Balance>();
  private positions = new Map<string, Position>();
  private dailyPnl = new Map<string, number>();
  private lastPrices = new Map<string, number>();
  peakEquity = 0;

  constructor(snapshot?: PortfolioSnapshot) {
    if (snapshot) this.restore(snapshot);
  }

  balance(currency: string): Balance {
    return this.balances.get(currency) ?? { free: 0, used: 0 };
  }

  setBalance(currency: string, balance: Balance): void {
    this.balances.set(currency, { free: balance.free, used: balance.used });
  }

  /** Every balance (reconciliation compares them with the exchange's). */
  allBalances(): Record<string, Balance> {
    return Object.fromEntries([...this.balances].map(([c, b]) => [c, { ...b }]));
  }

  /**
   * A position can hold no more than the account has of its base currency: after the exchange's
   * balances are adopted (coins sold or withdrawn outside the bot) it is cut to what is there.
   */
  capPosition(symbol: string, amount: number): void {
    const p = this.positions.get(symbol);
    if (p && p.amount > amount) p.amount = Math.max(0, amount);
  }

  /** Moves funds from free to used (an open limit order holds them). */
  reserve(currency: string, amount: number): void {
    const b = this.balance(currency);
    if (amount > b.free + DUST) throw new Error(`not enough ${currency}: ${amount} needed, ${b.free} free`);
    this.balances.set(currency, { free: b.free - amount, used: b.used + amount });
  }

  release(currency: string, amount: number): void {
    const b = this.balance(currency);
    const back = Math.min(amount, b.used);
    this.balances.set(currency, { free: b.free + back, used: b.used - back });
  }

  position(symbol: string): Position | undefined {
    const p = this.positions.get(symbol);
    return p && p.amount > DUST ? p : undefined;
  }

  openPositions(): Position[] {
    return [...this.positions.values()].filter((p) => p.amount > DUST);
  }

  /** Whether any position is open (openPositions().length > 0 without the array). */
  hasOpenPositions(): boolean {
    for (const p of this.positions.values()) if (p.amount > DUST) return true;
    return false;
  }

  /** Every position record, closed ones included (realized P&L history per symbol). */
  allPositions(): Position[] {
    return [...this.positions.values()];
  }

  mark(symbol: string, price: number): void {
    if (price > 0) this.lastPrices.set(symbol, price);
  }

  lastPrice(symbol: string): number | undefined {
    return this.lastPrices.get(symbol);
  }

  /**
   * Books a fill. `fromReserved`: the funds were reserved by an open limit order (used, not free).
   * Returns the realized P&L of a sell (0 for buys).
   */
  applyFill(fill: Fill, fromReserved = false): number {
    const { base, quote } = splitSymbol(fill.symbol);
    const notional = fill.amount * fill.price;
    const feeInQuote = fill.fee.currency === quote ? fill.fee.cost : fill.fee.currency === base ? fill.fee.cost * fill.price : 0;
    const pos = this.positions.get(fill.symbol) ?? {
      symbol: fill.symbol,
      amount: 0,
      avgEntry: 0,
      realizedPnl: 0,
      fees: 0,
      lastTradeTs: 0,
      lastTradePnl: 0,
    };
    let realized = 0;
    if (fill.side === 'buy') {
      this.spend(quote, notional, fromReserved);
      this.receive(base, fill.amount);
      this.chargeFee(fill.fee);
      const received = fill.amount - (fill.fee.currency === base ? fill.fee.cost : 0);
      const cost = pos.avgEntry * pos.amount + notional + (fill.fee.currency === quote ? fill.fee.cost : 0);
      pos.amount += received;
      pos.avgEntry = pos.amount > DUST ? cost / pos.amount : 0;
    } else {
      this.spend(base, fill.amount, fromReserved);
      this.receive(quote, notional);
      this.chargeFee(fill.fee);
      realized = (fill.price - pos.avgEntry) * Math.min(fill.amount, pos.amount) - feeInQuote;
      pos.amount = Math.max(0, pos.amount - fill.amount);
      if (pos.amount <= DUST) pos.avgEntry = 0;
      pos.realizedPnl += realized;
      pos.lastTradePnl = realized;
      const day = dayOf(fill.ts);
      this.dailyPnl.set(day, (this.dailyPnl.get(day) ?? 0) + realized);
    }
    pos.fees += feeInQuote;
    pos.lastTradeTs = fill.ts;
    this.positions.set(fill.symbol, pos);
    this.mark(fill.symbol, fill.price);
    return realized;
  }

  /** A fill's payment (from the reserved funds of a limit order, else from the free ones). */
  private spend(currency: string, amount: number, fromReserved: boolean): void {
    const b = this.balance(currency);
    this.balances.set(currency, fromReserved ? { free: b.free, used: b.used - amount } : { free: b.free - amount, used: b.used });
  }

  private receive(currency: string, amount: number): void {
    const b = this.balance(currency);
    this.balances.set(currency, { free: b.free + amount, used: b.used });
  }

  private chargeFee(fee: { cost: number; currency: string }): void {
    if (fee.cost <= 0) return;
    const b = this.balance(fee.currency);
    this.balances.set(fee.currency, { free: b.free - fee.cost, used: b.used });
  }

  realizedOn(ts: number): number {
    return this.dailyPnl.get(dayOf(ts)) ?? 0;
  }

  unrealizedPnl(symbol: string): number {
    const p = this.position(symbol);
    const price = this.lastPrices.get(symbol);
    return p && price ? (price - p.avgEntry) * p.amount : 0;
  }

  /** Value of a position at the last price, in its quote currency. */
  exposure(symbol: string): number {
    const p = this.position(symbol);
    return p ? p.amount * (this.lastPrices.get(symbol) ?? p.avgEntry) : 0;
  }

  /**
   * Equity in `currency`: its balance plus every other balance valued through a known
   * `<asset>/<currency>` price. Assets with no such price are left out (and listed).
   */
  equity(currency: string): { equity: number; unpriced: string[] } {
    let equity = 0;
    const unpriced: string[] = [];
    for (const [asset, b] of this.balances) {
      const total = b.free + b.used;
      if (Math.abs(total) <= DUST) continue;
      if (asset === currency) equity += total;
      else {
        const price = this.lastPrices.get(`${asset}/${currency}`);
        if (price) equity += total * price;
        else unpriced.push(asset);
      }
    }
    return { equity, unpriced };
  }

  /**
   * equity(currency).equity without the list of unpriced assets: the backtest asks after every
   * candle. The same sum in the same order; the pair names are made once per asset.
   */
  equityValue(currency: string): number {
    let equity = 0;
    // Keys and get, not entries: an entry is a [key, value] array made per asset per call.
    for (const asset of this.balances.keys()) {
      const b = this.balances.get(asset)!;
      const total = b.free + b.used;
      if (Math.abs(total) <= DUST) continue;
      if (asset === currency) equity += total;
      else {
        const price = this.lastPrices.get(this.pairName(asset, currency));
        if (price) equity += total * price;
      }
    }
    return equity;
  }

  /** Pair names by asset, for one quote currency (the last one asked for). */
  private pairNames = new Map<string, string>();
  private pairNamesCurrency: string | undefined;

  /** The last asset asked for and its pair name (the backtest values one asset after every candle). */
  private lastPairAsset: string | undefined;
  private lastPairName = '';

  private pairName(asset: string, currency: string): string {
    if (asset === this.lastPairAsset && currency === this.pairNamesCurrency) return this.lastPairName;
    if (currency !== this.pairNamesCurrency) {
      this.pairNames = new Map();
      this.pairNamesCurrency = currency;
    }
    let name = this.pairNames.get(asset);
    if (name === undefined) {
      name = `${asset}/${currency}`;
      if (this.pairNames.size < 10_000) this.pairNames.set(asset, name);
    }
    this.lastPairAsset = asset;
    this.lastPairName = name;
    return name;
  }

  /** Updates the peak equity and returns the drawdown from it, 0..1. */
  drawdown(currency: string): number {
    const { equity } = this.equity(currency);
    if (equity > this.peakEquity) this.peakEquity = equity;
    return this.peakEquity > 0 ? (this.peakEquity - equity) / this.peakEquity : 0;
  }

  snapshot(): PortfolioSnapshot {
    return {
      balances: Object.fromEntries([...this.balances].map(([k, v]) => [k, { ...v }])),
      positions: Object.fromEntries([...this.positions].map(([k, v]) => [k, { ...v }])),
      dailyPnl: Object.fromEntries(this.dailyPnl),
      peakEquity: this.peakEquity,
      lastPrices: Object.fromEntries(this.lastPrices),
    };
  }

  restore(s: PortfolioSnapshot): void {
    this.balances = new Map(Object.entries(s.balances).map(([k, v]) => [k, { ...v }]));
    this.positions = new Map(Object.entries(s.positions).map(([k, v]) => [k, { ...v }]));
    this.dailyPnl = new Map(Object.entries(s.dailyPnl ?? {}));
    this.lastPrices = new Map(Object.entries(s.lastPrices ?? {}));
    this.peakEquity = s.peakEquity ?? 0;
  }
}
