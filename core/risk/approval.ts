/**
 * "Ask first": the risk gate holds each approved entry until a person answers. This is the state
 * machine of the held requests, pure (no clock of its own, no I/O): the stored gate keeps its
 * state with the gate's own (core/risk/stored-gate.ts) and saves it before anything is sent.
 *
 * A held request is known by its order request's clientOrderId, the deterministic id the order
 * keeps: each request is answered once. The first answer decides (approve: the order goes out;
 * reject, or no answer before the deadline: a rejection with APPROVAL_REJECTED / APPROVAL_EXPIRED);
 * a second answer to the same request (a double tap, a redelivered callback, a second chat) finds
 * it answered and changes nothing. An answer after the deadline expires the request instead of
 * approving it: a person's "yes" counts only within the time the question said.
 */
import type { OrderRequest, Rejection } from '../contract';
import { fieldError } from '../errors';

export interface HeldRequest {
  /** The order request as the gate approved it; its clientOrderId is the held request's id. */
  request: OrderRequest;
  /** When it was held and when it expires, ms (wall clock: a person's time). */
  heldAt: number;
  expiresAt: number;
  /** Where the question was asked (Telegram chat and message ids), to edit it once answered. */
  asked?: Array<{ chatId: number; messageId: number }>;
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'expired';

export interface ApprovalState {
  /** Requests waiting for an answer, oldest first. */
  held: HeldRequest[];
  /** The latest answered requests: [clientOrderId, outcome], newest last (for "already answered"). */
  answered: Array<[string, ApprovalOutcome]>;
}

export const initialApprovalState = (): ApprovalState => ({ held: [], answered: [] });

/** How many answered ids are kept to tell a late double tap "already answered". */
const REMEMBER_ANSWERED = 500;

/** Rejection codes of ask first (docs/message-contract.md). */
export const APPROVAL_REJECTED = 'APPROVAL_REJECTED';
export const APPROVAL_EXPIRED = 'APPROVAL_EXPIRED';

/** What an answer did. */
export type AnswerResult =
  /** This answer decided: approved (send the request), rejected or expired (send the rejection). */
  | { decided: ApprovalOutcome; held: HeldRequest }
  /** The request was answered before (or expired): nothing to do. */
  | { already: ApprovalOutcome }
  /** No such held request (never held here, or answered so long ago it is forgotten). */
  | { unknown: true };

export class ApprovalBook {
  constructor(readonly state: ApprovalState = initialApprovalState()) {}

  /** Requests waiting, oldest first. */
  get held(): readonly HeldRequest[] {
    return this.state.held;
  }

  find(clientOrderId: string): HeldRequest | undefined {
    return this.state.held.find((h) => h.request.clientOrderId === clientOrderId);
  }

  /** How a request was answered, if it was (and is still remembered). */
  outcomeOf(clientOrderId: string): ApprovalOutcome | undefined {
    for (let i = this.state.answered.length - 1; i >= 0; i--) if (this.state.answered[i]![0] === clientOrderId) return this.state.answered[i]![1];
    return undefined;
  }

  /**
   * Holds an approved request until `now + timeoutMs`. A request with the same clientOrderId held
   * or answered before is not held again (returns undefined): the gate's duplicate-signal check
   * already stops a repeated signal, this stops a repeated request.
   */
  hold(request: OrderRequest, now: number, timeoutMs: number): HeldRequest | undefined {
    if (this.find(request.clientOrderId) || this.outcomeOf(request.clientOrderId)) return undefined;
    const held: HeldRequest = { request, heldAt: now, expiresAt: now + timeoutMs };
    this.state.held.push(held);
    return held;
  }

  /** A person's answer to the request `clientOrderId` at time `now`. */
  answer(clientOrderId: string, answer: 'approve' | 'reject', now: number): AnswerResult {
    const held = this.find(clientOrderId);
    if (!held) {
      const already = this.outcomeOf(clientOrderId);
      return already ? { already } : { unknown: true };
    }
    const decided: ApprovalOutcome = now >= held.expiresAt ? 'expired' : answer === 'approve' ? 'approved' : 'rejected';
    this.settle(held, decided);
    return { decided, held };
  }

  /** The requests whose deadline has passed at `now`, settled as expired (oldest first). */
  expire(now: number): HeldRequest[] {
    const due = this.state.held.filter((h) => now >= h.expiresAt);
    for (const h of due) this.settle(h, 'expired');
    return due;
  }

  /** The earliest deadline of a waiting request, ms; undefined when none waits. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const h of this.state.held) if (next === undefined || h.expiresAt < next) next = h.expiresAt;
    return next;
  }

  /** Takes an answer back (its state could not be saved): the request waits again. */
  undo(held: HeldRequest): void {
    const i = this.state.answered.findIndex(([id]) => id === held.request.clientOrderId);
    if (i >= 0) this.state.answered.splice(i, 1);
    if (!this.find(held.request.clientOrderId)) this.state.held.push(held);
    this.state.held.sort((a, b) => a.heldAt - b.heldAt);
  }

  /** Takes a hold back (its state could not be saved). */
  unhold(held: HeldRequest): void {
    this.state.held = this.state.held.filter((h) => h !== held);
  }

  private settle(held: HeldRequest, outcome: ApprovalOutcome): void {
    this.state.held = this.state.held.filter((h) => h !== held);
    this.state.answered.push([held.request.clientOrderId, outcome]);
    if (this.state.answered.length > REMEMBER_ANSWERED) this.state.answered.shift();
  }
}

/** The rejection a rejected or expired held request sends (output 2), in the words of the message contract. */
export function approvalRejection(held: HeldRequest, outcome: 'rejected' | 'expired', ts: number): Rejection {
  const r = held.request;
  const minutes = (held.expiresAt - held.heldAt) / 60_000;
  const within = minutes >= 1 ? `${+minutes.toFixed(1)} min` : `${Math.round((held.expiresAt - held.heldAt) / 1000)} s`;
  const reason = outcome === 'rejected' ? `the ${r.side} of ${r.symbol} was rejected by a person (ask first)` : `nobody approved the ${r.side} of ${r.symbol} within ${within} (ask first): not sent`;
  return {
    kind: 'rejection',
    code: outcome === 'rejected' ? APPROVAL_REJECTED : APPROVAL_EXPIRED,
    reason,
    symbol: r.symbol,
    side: r.side,
    ...(r.signalId ? { signalId: r.signalId } : {}),
    clientOrderId: r.clientOrderId,
    ts,
  };
}

/** Whether a request is one ask first holds: entries (buys). Exits (sells) never wait. */
export const isEntry = (request: OrderRequest): boolean => request.side === 'buy';

/** The request an answer message (topic approve / reject) is about: msg.payload as the clientOrderId, or {clientOrderId}. */
export function answeredId(payload: unknown, field = 'msg.payload'): string {
  const id = typeof payload === 'string' ? payload : payload && typeof payload === 'object' ? (payload as Record<string, unknown>).clientOrderId : undefined;
  const where = payload && typeof payload === 'object' ? `${field}.clientOrderId` : field;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,36}$/.test(id)) {
    throw fieldError(where, `${where}: must be the clientOrderId of a held request (output 3's payload.clientOrderId), got ${JSON.stringify(id ?? payload)?.slice(0, 60)}`);
  }
  return id;
}
