/**
 * A risk gate whose state lives in its exchange's state store (the file, Redis), so a restart
 * keeps the kill switch, the drawdown breaker and the ids of approved signals. The risk gate node
 * is its glue; this is where the gate's own decisions are:
 *  - the state is loaded once; with the store down the load fails, and the next signal or
 *    command tries again, so the gate comes up by itself once the store is back;
 *  - a signal that arrives while the state cannot be loaded is refused (STATE_STORE_DOWN), not
 *    decided on a blank state that would forget the kill switch;
 *  - a signal that breaks the contract is refused (INVALID_INPUT) with the error naming the field;
 *    one for another exchange (WRONG_EXCHANGE) or implausible against the market is refused by
 *    decideSignal (signal-decision.ts, shared with the backtest's fast path);
 *  - an approval whose state cannot be saved is taken back and refused (STATE_STORE_DOWN): a
 *    restart would otherwise forget it and trade the same signal twice; refused, it may trade later;
 *  - the kill switch, resume and breaker reset are saved before they are reported;
 *  - ask first (core/risk/approval.ts): an approved entry is held in the same write as its
 *    approval; a person's answer and an expiry are saved before the order or the rejection goes
 *    out, and one that cannot be saved is taken back (the request keeps waiting): an order is sent
 *    at most once, and only after a saved "approved".
 */
import { SignalSchema, zodError, describeZodError, type Rejection, type Signal } from '../contract';
import type { ExchangeSession } from '../session/exchange-session';
import type { StateStore } from '../state-store';
import type { Portfolio } from '../trading/portfolio';
import { initialRiskState, RiskGate, type RiskOutcome, type RiskState } from './risk-gate';
import type { RiskSettings } from './settings';
import { decideSignal } from './signal-decision';
import { ApprovalBook, initialApprovalState, isEntry, type AnswerResult, type ApprovalOutcome, type HeldRequest } from './approval';

/** What happened to one signal. */
export type GateVerdict =
  /**
   * Refused before the gate's rules: the rejection for output 2; `topic` (the signal's symbol)
   * when the message's topic should become it; `error` for done(err) when the input was bad.
   */
  | { refused: Rejection; topic?: string; error?: Error }
  /** Decided by the gate's rules (approved or rejected) and saved. */
  | { signal: Signal; outcome: RiskOutcome; held?: HeldRequest };

/** Ask first for one decision: hold an approved entry until `now + timeoutMs` (wall clock). */
export interface HoldEntries {
  timeoutMs: number;
  now: number;
}

export interface StoredGateHooks {
  /** The state was loaded (the first time only): the gate is up. */
  loaded?(): void;
  /** A load failed; the next signal or command tries again. */
  loadFailed?(err: Error): void;
}

export class StoredRiskGate {
  private gate: RiskGate | undefined;
  private book: ApprovalBook | undefined;
  private loading: Promise<RiskGate> | undefined;

  constructor(
    private readonly settings: RiskSettings,
    private readonly session: ExchangeSession,
    /** The state's key in the store (one per risk gate node). */
    readonly key: string,
    private readonly hooks: StoredGateHooks = {},
    private readonly store: StateStore = session.stateStore,
  ) {}

  /** The gate's state once loaded (undefined before, or while the store is down). */
  get state(): RiskState | undefined {
    return this.gate?.state;
  }

  get killed(): boolean {
    return this.gate?.state.killed ?? false;
  }

  get breakerTripped(): boolean {
    return this.gate?.state.breaker.tripped ?? false;
  }

  /**
   * The gate, its state loaded once. A failed load rejects with an error saying so and is tried
   * again on the next call. Callers that only start the load must catch: an unhandled rejection
   * stops Node-RED.
   */
  load(): Promise<RiskGate> {
    this.loading ??= this.store.get<RiskState>(this.key).then(
      (saved) => {
        this.gate = new RiskGate(this.settings, saved ?? initialRiskState());
        this.gate.state.approvals ??= initialApprovalState();
        this.book = new ApprovalBook(this.gate.state.approvals);
        this.hooks.loaded?.();
        return this.gate;
      },
      (err: Error) => {
        this.loading = undefined;
        const error = new Error(`the risk gate's state could not be loaded from the state store (${err.message})`);
        this.hooks.loadFailed?.(error);
        throw error;
      },
    );
    return this.loading;
  }

  /** Kill switch on: no new entries (exits pass); saved before it resolves. */
  async kill(): Promise<void> {
    (await this.load()).kill();
    await this.save();
  }

  /** Kill switch off; saved before it resolves. */
  async resume(): Promise<void> {
    (await this.load()).resume();
    await this.save();
  }

  /** Re-arms a tripped drawdown breaker, the equity peak starting again from the portfolio's equity now. */
  async resetBreaker(portfolio: () => Promise<Portfolio>): Promise<void> {
    const gate = await this.load();
    gate.resetBreaker(await portfolio());
    await this.save();
  }

  /**
   * One signal (msg.payload as it came): refused, or decided by the gate and saved (see the top
   * of this file). `onSignal` hears a signal that passed the contract, before it is decided (the
   * node journals it).
   */
  async decide(payload: unknown, indicators: unknown, onSignal?: (signal: Signal) => void, hold?: HoldEntries): Promise<GateVerdict> {
    let gate: RiskGate;
    try {
      gate = await this.load();
    } catch (err) {
      return { refused: storeDownRejection(payload, `${(err as Error).message}: signal not approved`, Date.now()) };
    }
    const parsed = SignalSchema.safeParse(payload);
    if (!parsed.success) {
      const reason = describeZodError(parsed.error, 'msg.payload');
      return { refused: { kind: 'rejection', code: 'INVALID_INPUT', reason, ts: Date.now() } as Rejection, error: zodError(parsed.error, 'msg.payload') };
    }
    const signal = parsed.data;
    onSignal?.(signal);
    const { session } = this;
    const account = await session.account();
    const source = await session.source();
    const markets = await source.loadMarkets();
    const heldSymbols = this.book!.held.map((h) => h.request.symbol);
    const decision = await decideSignal(gate, signal, { session, account, markets, now: () => source.now(), indicators, heldSymbols });
    if ('rejection' in decision) {
      // A signal for another exchange keeps the message's topic: it is not about a symbol here.
      return { refused: decision.rejection, topic: decision.rejection.code === 'WRONG_EXCHANGE' ? undefined : signal.symbol, error: decision.error };
    }
    const { outcome } = decision;
    // Ask first: an approved entry waits for a person (saved with its approval); exits never wait.
    const held = hold && 'request' in outcome && isEntry(outcome.request) ? this.book!.hold(outcome.request, hold.now, hold.timeoutMs) : undefined;
    try {
      await this.save();
    } catch (err) {
      // An approval nobody could save must not stand: the signal is refused now and may trade later.
      if (held) this.book!.unhold(held);
      if ('request' in outcome) gate.unapprove(signal.id);
      const reason = `state store unavailable (${(err as Error).message}): signal not approved`;
      return { refused: { kind: 'rejection', code: 'STATE_STORE_DOWN', reason, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts: signal.ts } as Rejection, topic: signal.symbol };
    }
    return { signal, outcome, ...(held ? { held } : {}) };
  }

  /** Requests waiting for a person's answer (ask first), oldest first; none before the state is loaded. */
  get held(): readonly HeldRequest[] {
    return this.book?.held ?? [];
  }

  /** The earliest deadline of a waiting request, ms. */
  nextExpiry(): number | undefined {
    return this.book?.nextExpiry();
  }

  /** Whether this gate holds or has answered the request (its callbacks are this gate's). */
  knows(clientOrderId: string): boolean {
    return Boolean(this.book?.find(clientOrderId) || this.book?.outcomeOf(clientOrderId));
  }

  /**
   * A person's answer to a held request, saved before it resolves. An answer that decided and
   * cannot be saved is taken back and rejects (the request waits on: answer again).
   */
  async answer(clientOrderId: string, answer: 'approve' | 'reject', now: number): Promise<AnswerResult> {
    await this.load();
    const result = this.book!.answer(clientOrderId, answer, now);
    if (!('decided' in result)) return result;
    try {
      await this.save();
    } catch (err) {
      this.book!.undo(result.held);
      throw new Error(`state store unavailable (${(err as Error).message}): the answer was not recorded and nothing was sent; answer again`);
    }
    return result;
  }

  /** The held requests whose deadline passed at `now`, expired and saved; none while the store is down (tried again later). */
  async expire(now: number): Promise<HeldRequest[]> {
    await this.load();
    const due = this.book!.expire(now);
    if (!due.length) return due;
    try {
      await this.save();
    } catch {
      for (const h of due) this.book!.undo(h);
      return [];
    }
    return due;
  }

  /** How a request was answered, if it was (and is still remembered). */
  outcomeOf(clientOrderId: string): ApprovalOutcome | undefined {
    return this.book?.outcomeOf(clientOrderId);
  }

  /**
   * Records where the question about a held request was asked (a Telegram chat and message, to
   * edit it once answered); saved when it can be. False when the request was answered meanwhile.
   */
  async asked(held: HeldRequest, where: { chatId: number; messageId: number }): Promise<boolean> {
    if (this.book?.find(held.request.clientOrderId) !== held) return false;
    held.asked = [...(held.asked ?? []), where];
    await this.save().catch(() => undefined);
    return true;
  }

  /** Saves the state: a fresh snapshot per write (the store keeps what it is given). */
  private save(): Promise<void> {
    const state = this.gate!.state;
    const approvals = state.approvals && { held: state.approvals.held.map((h) => ({ ...h, ...(h.asked ? { asked: h.asked.slice() } : {}) })), answered: state.approvals.answered.map((a) => [a[0], a[1]] as [string, (typeof a)[1]]) };
    return this.store.set(this.key, { ...state, breaker: { ...state.breaker }, approved: state.approved.slice(), ...(approvals ? { approvals } : {}) });
  }
}

/** STATE_STORE_DOWN for a payload not yet validated: what it says of itself, where it says it plainly. */
function storeDownRejection(payload: unknown, reason: string, ts: number): Rejection {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const side = p.side === 'buy' || p.side === 'sell' ? p.side : undefined;
  return { kind: 'rejection', code: 'STATE_STORE_DOWN', reason, symbol: text(p.symbol), side, signalId: text(p.id), ts } as Rejection;
}
