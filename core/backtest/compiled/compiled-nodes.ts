/**
 * The trading nodes of a flow as the fast path runs them: for each node type, what its deployed
 * node does with a message (nodes/tradebot-indicator, -strategy, -risk-gate, -place-order), on the
 * same core objects, with the message handed back per output instead of to Node-RED's send().
 * Kept step for step with those nodes: the fast path's report must equal the Node-RED path's.
 * Only what a candle can set off is here (no kill switch, reset or cancel messages: nothing on
 * the trading path sends them).
 */
import { checkedSignal, describeZodError, parseCandle, parseOrThrow, SignalSchema, zodError, type Candle, type OrderRequest, type Signal } from '../../contract';
import type { ExchangeSession } from '../../session/exchange-session';
import { IndicatorSet, type NamedIndicatorSpec } from '../../indicators/indicator-set';
import { journalSent } from '../../journal/journal-sent';
import type { MarketInfo } from '../../market/market-source';
import { checkMessageTime, ImplausibleInputError } from '../../plausibility';
import { flattenAfterTrips, forceExitRequests } from '../../risk/force-exit';
import { riskSettingsOfNode } from '../../risk/node-config';
import { initialRiskState, RiskGate, type RiskState } from '../../risk/risk-gate';
import { decideSignal, decideSignalNow, type SignalDecision } from '../../risk/signal-decision';
import { exchangeClock } from '../../sessions';
import { textSetting } from '../../setting-values';
import { DecisionMaker } from '../../strategies/decision';
import { defaultStrategyName, parseStrategySettings } from '../../strategies/settings';
import { contextTimeframes, StrategyRunner, strategyFactory } from '../../strategies/strategy-runner';
import type { TradingAccount } from '../../trading/account';
import { checkPlaceable, checkPlaceableNow, parseOrderRequest } from '../../trading/order-checks';
import type { FlowNodeConfig, PlanNode } from './flow-plan';

export type Msg = Record<string, any>;
/** Hands a message to one output of the node. */
export type Emit = (output: number, msg: Msg) => void;
/** A compiled node: handles one message, emitting on its outputs; throws what the node would pass to done(err). */
export type CompiledNode = (msg: Msg, emit: Emit) => void | Promise<void>;

/** What the trading nodes reach through their exchange node: resolved once, before the run. */
export interface CompiledContext {
  session: ExchangeSession;
  account: TradingAccount;
  markets: Map<string, MarketInfo>;
  /** The exchange's (virtual) clock. */
  now: () => number;
  /**
   * The candle being delivered, once it passed the candle check: a node that gets this very
   * object does not check it again (the check is the same; the object would be a copy).
   */
  trusted?: Candle;
}

/** An empty list to iterate (most decisions trip nothing and flatten nothing): never added to. */
const NONE: readonly never[] = Object.freeze([]);

/** The candle of a message: the delivered one as it is, anything else checked as the nodes check it. */
const candleOf = (msg: Msg, ctx: CompiledContext): Candle => (msg.payload === ctx.trusted && msg.payload !== undefined ? (msg.payload as Candle) : parseCandle(msg.payload, 'msg.payload'));

/** Builds a node's handler; throws (naming the field) when its settings are bad. */
export async function compileNode(node: PlanNode, ctx: CompiledContext): Promise<CompiledNode> {
  switch (node.type) {
    case 'tradebot-indicator':
      return indicatorNode(node.config, ctx);
    case 'tradebot-strategy':
      return strategyNode(node.config, ctx);
    case 'tradebot-risk-gate':
      return riskGateNode(node, ctx);
    case 'tradebot-place-order':
      return placeOrderNode(ctx);
  }
}

function indicatorNode(config: FlowNodeConfig, ctx: CompiledContext): CompiledNode {
  const list = config.indicators as Array<Record<string, unknown> & { name: string }> | undefined;
  if (list !== undefined && !Array.isArray(list)) throw new Error('indicators: must be a list of indicators');
  const specs: NamedIndicatorSpec[] = (list ?? []).map(({ name, ...spec }) => ({ name, spec }));
  const set = new IndicatorSet(specs);
  return (msg, emit) => {
    const candle = candleOf(msg, ctx);
    // The pending counts are made only while an indicator has no value (the warm-up's first candles).
    const values = set.updateValues(candle);
    const earlier = msg.indicators;
    msg.indicators = earlier && typeof earlier === 'object' ? { ...earlier, ...values } : values;
    let waiting = false;
    for (const name in values) {
      if (values[name] === null) {
        waiting = true;
        break;
      }
    }
    if (waiting) msg.indicatorsPending = set.pendingOfLast(values);
    else if ('indicatorsPending' in msg) delete msg.indicatorsPending;
    emit(0, msg);
  };
}

function strategyNode(config: FlowNodeConfig, ctx: CompiledContext): CompiledNode {
  const settings = parseStrategySettings(config);
  const name = textSetting(config.name, 'name', '') || defaultStrategyName(settings);
  if (settings.strategy === 'decision') {
    const decision = new DecisionMaker({ name, policy: settings.policy, members: settings.members, windowMs: settings.windowSeconds * 1000, threshold: settings.threshold });
    return (msg, emit) => {
      const signal = parseOrThrow(SignalSchema, msg.payload, 'msg.payload');
      // A member's signal from the future would hold the decision window: refused before it counts.
      const implausible = checkMessageTime('msg.payload.ts', signal.ts, exchangeClock(signal.exchange) ?? Date.now(), null);
      if (implausible) throw new ImplausibleInputError(implausible);
      const outcome = decision.onSignal(signal);
      if ('signal' in outcome) emit(0, { ...msg, topic: outcome.signal.symbol, payload: outcome.signal });
    };
  }
  const runner = new StrategyRunner(name, strategyFactory(settings), contextTimeframes(settings));
  return (msg, emit) => {
    // Holds (output 2) reach no trading node: not made.
    const signal = runner.signalOf(candleOf(msg, ctx), msg.indicators && typeof msg.indicators === 'object' ? msg.indicators : {}, msg.warmup === true);
    if (signal) emit(0, { ...msg, topic: signal.symbol, payload: signal });
  };
}

async function riskGateNode(node: PlanNode, ctx: CompiledContext): Promise<CompiledNode> {
  const { session, account, markets } = ctx;
  const settings = riskSettingsOfNode(node.config);
  // The deployed gate's state (a backtest keeps it in memory: the deploy's, as the node loaded it).
  const saved = await session.stateStore.get<RiskState>(`tradebot:risk:${node.id}`);
  const gate = new RiskGate(settings, saved ?? initialRiskState());
  // Everything the gate sends goes to the journal, as the node's send() does (one function per
  // output function, not one per message: the flow hands the node the same one every time).
  let out: Emit | undefined;
  let emit: Emit = () => undefined;
  return (msg, emitOut) => {
    if (emitOut !== out) {
      out = emitOut;
      emit = (output, m) => {
        journalSent(session.journal, m);
        emitOut(output, m);
      };
    }
    // A signal the hand-written check takes (every one a strategy makes) needs no zod parse: same result.
    let signal = checkedSignal(msg.payload);
    if (!signal) {
      const parsed = SignalSchema.safeParse(msg.payload);
      if (!parsed.success) {
        const reason = describeZodError(parsed.error, 'msg.payload');
        emit(1, { ...msg, payload: { kind: 'rejection', code: 'INVALID_INPUT', reason, ts: ctx.now() } });
        throw zodError(parsed.error, 'msg.payload');
      }
      signal = parsed.data;
    }
    journalSent(session.journal, { payload: signal });
    const at = { session, account, markets, now: ctx.now, indicators: msg.indicators };
    // An account booking without waiting is a backtest's: the market price the session would give
    // the gate is the replay's, at hand (once a candle marked it). Decided at once, no promise.
    if (account.booksWithoutWaiting && (!markets.has(signal.symbol) || account.marketPrice(signal.symbol) !== undefined)) {
      sendDecision(decideSignalNow(gate, signal, at, (symbol) => account.marketPrice(symbol)), signal, msg, emit);
      return;
    }
    const decided = signal;
    return decideSignal(gate, decided, at).then((decision) => sendDecision(decision, decided, msg, emit));
  };

  /** What the risk gate node sends on a decision (and throws what it passes to done(err)). */
  function sendDecision(decision: SignalDecision, signal: Signal, msg: Msg, emit: Emit): void {
    if ('rejection' in decision) {
      emit(1, { ...msg, ...(decision.rejection.code === 'WRONG_EXCHANGE' ? {} : { topic: signal.symbol }), payload: decision.rejection });
      if (decision.error) throw decision.error;
      return;
    }
    const { outcome } = decision;
    const trips = outcome.trips ?? NONE;
    const flatten = flattenAfterTrips(outcome);
    const flattenOrders: readonly OrderRequest[] = flatten
      ? forceExitRequests({ all: true }, { portfolio: account.portfolio, markets, exchange: session.exchangeName, now: ctx.now(), reason: flatten.reason, exclude: flatten.exclude, finished: (id) => account.finished(id) }, 'msg.payload')
      : NONE;
    const flattenMessages = flattenOrders.length ? flattenOrders.map((r) => ({ ...msg, topic: r.symbol, payload: r })) : NONE;
    if ('request' in outcome) {
      emit(0, { ...msg, topic: signal.symbol, payload: outcome.request });
      for (const m of flattenMessages) emit(0, m);
      for (const t of trips) emit(1, { ...msg, topic: signal.symbol, payload: t });
    } else {
      for (const m of flattenMessages) emit(0, m);
      emit(1, { ...msg, topic: signal.symbol, payload: outcome.rejection });
      for (const t of trips) emit(1, { ...msg, topic: signal.symbol, payload: t });
    }
  }
}

function placeOrderNode(ctx: CompiledContext): CompiledNode {
  const { session, account, markets } = ctx;
  // What the checks read, made once for every order.
  const venue = {
    get exchange() {
      return session.exchangeName;
    },
    markets,
    isOpen: (id: string) => account.openRequest(id) !== undefined,
    marketPrice: (symbol: string) => account.marketPrice(symbol),
    now: ctx.now,
  };
  return (msg) => {
    const request = parseOrderRequest(msg.payload);
    session.journal?.orderRequest(request);
    // An account booking without waiting is a backtest's: the markets, the replay's price (what
    // the session's marketPrice() answers once a candle marked it) and the clock are at hand, and
    // the order is booked at once, no promise. Otherwise, as the place order node does it.
    if (account.booksWithoutWaiting && account.marketPrice(request.symbol) !== undefined) {
      checkPlaceableNow(request, venue);
      if (account.placeNow(request)) return;
    }
    return placeWaiting(request);
  };

  async function placeWaiting(request: OrderRequest): Promise<void> {
    // The place order node's checks (core/trading/order-checks.ts).
    await checkPlaceable(request, {
      exchange: session.exchangeName,
      markets: async () => markets,
      isOpen: (id) => account.openOrders().some((o) => o.clientOrderId === id),
      marketPrice: (symbol) => session.marketPrice(symbol),
      now: ctx.now,
    });
    // No listener of its own: the order's updates go to the deployed place-order node's output,
    // as the updates of stop closes do (the account's default listener).
    await session.placeOrder(request);
  }
}
