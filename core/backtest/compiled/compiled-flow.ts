/**
 * A flow's trading path run without Node-RED's scheduler (docs/backtest.md, "The fast path"):
 * each candle goes to the candles nodes' targets and on through the compiled nodes in the order
 * Node-RED delivers messages (first in, first out: a node's outputs in wiring order, a fan-out
 * to each target in turn, the second and later targets getting a copy), each node finishing
 * before the next message is handled. A node's error goes to `onError` (the deployed node reports
 * it, so a Catch node sees it) and the run goes on, as in the flow. Candles nodes of a longer
 * timeframe than the data's get the candles the replay source would show them (resample.ts): each
 * once the base candle that completes it has been handed over, right behind that base candle.
 */
import { isCandle, type Candle, type OhlcvRow } from '../../contract';
import { rowToCandle } from '../../market/candle-feed';
import { candleOpenTime, timeframeToMs } from '../../timeframe';
import { resample } from '../resample';
import { compileNode, type CompiledContext, type CompiledNode, type Emit, type Msg } from './compiled-nodes';
import type { FlowPlan } from './flow-plan';

/** The candle if it passes the nodes' candle check (checked once here instead of in every node), else undefined. */
function trustworthy(candle: Candle): Candle | undefined {
  return isCandle(candle) ? candle : undefined;
}

interface LongerRoute {
  /** The candles node's targets as given by the plan (warmUp finds the route by them). */
  targets: string[];
  /** The same, as indexes of the compiled nodes. */
  to: number[];
  timeframe: string;
  tfMs: number;
  warmup: number;
  /** The longer candle being made from the base candles (a row), until its last one is handed over. */
  making: OhlcvRow | undefined;
}

export type CompiledError = (nodeId: string, err: Error, msg: Msg) => void;

/** Thrown when a node of the plan cannot be built (a bad setting): the backtest then uses the Node-RED path. */
export class CompileError extends Error {
  constructor(
    readonly node: { id: string; type: string; name: string },
    message: string,
  ) {
    super(message);
  }
}

export class CompiledFlow {
  /**
   * The queue of deliveries: the node and the message, side by side (no object per delivery), the
   * first `queued` slots in use. The arrays keep their slots from candle to candle (emptying one
   * by its length would give its storage back, and the next candle would allocate it again).
   */
  private readonly queueNodes: number[] = [];
  private readonly queueMsgs: Array<Msg | undefined> = [];
  private queued = 0;
  /**
   * The compiled nodes by index (what the queue and the routes hold: no lookup by id per
   * delivery): their ids, handlers and emitters.
   */
  private readonly ids: string[] = [];
  private readonly handlers: CompiledNode[] = [];
  private readonly emitters: Emit[] = [];
  private readonly index = new Map<string, number>();
  /** Per symbol: the candles nodes' targets (one list per candles node that reads the symbol). */
  private readonly routes = new Map<string, number[][]>();
  /** Per symbol: the candles nodes of longer timeframes, each with the candle it is making. */
  private readonly longer = new Map<string, LongerRoute[]>();
  /** The symbol of the last candle delivered, and its routes. */
  private lastSymbol: string | undefined;
  private lastRoutes: number[][] | undefined;
  private lastLonger: LongerRoute[] | undefined;
  /** The data's timeframe, in ms (set by warmUp). */
  private baseMs = 0;

  private constructor(
    private readonly plan: FlowPlan,
    handlers: Map<string, CompiledNode>,
    private readonly ctx: CompiledContext,
    private readonly onError: CompiledError,
  ) {
    for (const [id, handler] of handlers) {
      this.index.set(id, this.ids.length);
      this.ids.push(id);
      this.handlers.push(handler);
    }
    const indexes = (targets: readonly string[]) => this.indexesOf(targets);
    for (const c of plan.candles) {
      if (c.timeframe) {
        for (const symbol of c.symbols) {
          const list = this.longer.get(symbol) ?? [];
          list.push({ targets: c.targets, to: indexes(c.targets), timeframe: c.timeframe, tfMs: timeframeToMs(c.timeframe), warmup: c.warmup, making: undefined });
          this.longer.set(symbol, list);
        }
        continue;
      }
      for (const symbol of c.symbols) {
        const list = this.routes.get(symbol) ?? [];
        list.push(indexes(c.targets));
        this.routes.set(symbol, list);
      }
    }
    for (const id of this.ids) {
      const outputs = plan.nodes.get(id)!.outputs.map(indexes);
      this.emitters.push((output, msg) => this.enqueue(outputs[output], msg));
    }
  }

  /** The indexes of compiled nodes given by id. */
  private indexesOf(ids: readonly string[]): number[] {
    return ids.map((id) => this.index.get(id)!);
  }

  static async build(plan: FlowPlan, ctx: CompiledContext, onError: CompiledError): Promise<CompiledFlow> {
    const handlers = new Map<string, CompiledNode>();
    for (const [id, node] of plan.nodes) {
      try {
        handlers.set(id, await compileNode(node, ctx));
      } catch (err) {
        throw new CompileError({ id, type: node.type, name: node.name }, `${node.name ? `"${node.name}" (${node.type})` : `${node.type} ${id}`} has a bad setting: ${(err as Error).message}`);
      }
    }
    return new CompiledFlow(plan, handlers, ctx, onError);
  }

  /**
   * The warm-up the candles nodes send at deploy: per candles node and symbol, the last `warmup`
   * of the rows released before the run (msg.warmup = true).
   */
  async warmUp(exchange: string, timeframe: string, history: (symbol: string) => readonly OhlcvRow[]): Promise<void> {
    this.baseMs = timeframeToMs(timeframe);
    for (const c of this.plan.candles) {
      const indexes = this.indexesOf(c.targets);
      for (const symbol of c.symbols) {
        let rows = history(symbol);
        if (c.timeframe) {
          // The longer candles closed within the warm-up, and the one still forming (the run completes it).
          const route = this.longer.get(symbol)!.find((r) => r.targets === c.targets && r.timeframe === c.timeframe)!;
          const made = resample(rows, c.timeframe);
          const last = rows[rows.length - 1];
          const forming = made.length && last && made[made.length - 1]![0] + route.tfMs > last[0] + this.baseMs ? made.pop() : undefined;
          route.making = forming;
          rows = made;
        }
        for (let i = Math.max(0, rows.length - c.warmup); i < rows.length; i++) {
          const candle = rowToCandle(exchange, symbol, c.timeframe ?? timeframe, rows[i]!);
          this.ctx.trusted = trustworthy(candle);
          this.enqueue(indexes, { topic: symbol, payload: candle, warmup: true });
          await this.drain(0);
          this.ctx.trusted = undefined;
        }
      }
    }
  }

  /** The longer candles this base candle closes (before it: one its gap left complete; with it: the one it ends). */
  private closeLonger(candle: Candle, routes: LongerRoute[]): void {
    for (let r = 0; r < routes.length; r++) {
      const route = routes[r]!;
      const bucket = candleOpenTime(candle.ts, route.tfMs);
      let making = route.making;
      if (making && making[0] !== bucket) {
        this.enqueue(route.to, { topic: candle.symbol, payload: rowToCandle(candle.exchange, candle.symbol, route.timeframe, making) });
        making = undefined;
      }
      if (!making) making = [bucket, candle.open, candle.high, candle.low, candle.close, candle.volume];
      else {
        if (candle.high > making[2]) making[2] = candle.high;
        if (candle.low < making[3]) making[3] = candle.low;
        making[4] = candle.close;
        making[5] += candle.volume;
      }
      if (candle.ts + this.baseMs >= bucket + route.tfMs) {
        this.enqueue(route.to, { topic: candle.symbol, payload: rowToCandle(candle.exchange, candle.symbol, route.timeframe, making) });
        making = undefined;
      }
      route.making = making;
    }
  }

  /**
   * One closed candle of the run, to every candles node that reads its symbol, without a promise
   * where none is needed: most candles set off nothing that waits (a hold), and a promise per
   * candle is a good share of what a long run costs. Returns a
   * promise only when a node's work had to be waited for (a risk gate, an order) or the account
   * has a state write or listener pending; the candle is handled to the end once it resolves.
   */
  deliverNow(candle: Candle): Promise<void> | undefined {
    // The routes of the last symbol are kept: a run of one symbol finds them without a lookup.
    if (candle.symbol !== this.lastSymbol) {
      this.lastSymbol = candle.symbol;
      this.lastRoutes = this.routes.get(candle.symbol);
      this.lastLonger = this.longer.get(candle.symbol);
    }
    const routes = this.lastRoutes;
    const longer = this.lastLonger;
    if (!routes && !longer) return undefined;
    this.ctx.trusted = trustworthy(candle);
    if (routes) for (let r = 0; r < routes.length; r++) this.enqueue(routes[r]!, { topic: candle.symbol, payload: candle });
    if (longer) this.closeLonger(candle, longer);
    const pending = this.drain(0);
    if (pending) return pending.then(() => this.delivered());
    return this.delivered();
  }

  /** After a candle: what the orders set off (state writes, their listeners) is finished before the next candle. */
  private delivered(): Promise<void> | undefined {
    this.ctx.trusted = undefined;
    return this.ctx.account.settled ? undefined : this.ctx.account.flush();
  }

  private enqueue(targets: readonly number[] | undefined, msg: Msg): void {
    if (!targets) return;
    for (let i = 0; i < targets.length; i++) {
      this.queueNodes[this.queued] = targets[i]!;
      // Node-RED sends the message itself on the first wire and a copy on each other one.
      this.queueMsgs[this.queued] = i === 0 ? msg : { ...msg };
      this.queued++;
    }
  }

  /**
   * Handles the queue from `head` to its end, each node finishing before the next message: at
   * once while the nodes finish at once, and on from a node's promise (its orders) once it
   * resolves. Returns that promise, or undefined when the queue was handled to its end.
   */
  private drain(head: number): Promise<void> | undefined {
    const nodes = this.queueNodes;
    const msgs = this.queueMsgs;
    for (; head < this.queued; head++) {
      const node = nodes[head]!;
      const msg = msgs[head]!;
      let pending: void | Promise<void>;
      try {
        pending = this.handlers[node]!(msg, this.emitters[node]!);
      } catch (err) {
        this.onError(this.ids[node]!, err instanceof Error ? err : new Error(String(err)), msg);
        continue;
      }
      if (pending) return this.drainAfter(pending, this.ids[node]!, msg, head + 1);
    }
    // The messages are let go (the slots stay).
    for (let i = 0; i < this.queued; i++) msgs[i] = undefined;
    this.queued = 0;
    return undefined;
  }

  private async drainAfter(pending: Promise<void>, id: string, msg: Msg, next: number): Promise<void> {
    try {
      await pending;
    } catch (err) {
      this.onError(id, err instanceof Error ? err : new Error(String(err)), msg);
    }
    const more = this.drain(next);
    if (more) await more;
  }
}
