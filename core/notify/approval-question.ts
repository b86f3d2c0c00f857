/**
 * What ask first says to a person on Telegram: the question with Approve / Reject buttons, the
 * callback data those buttons carry ("ap:y:<clientOrderId>" / "ap:n:<clientOrderId>", at most 41
 * bytes of Telegram's 64), and the line the question is edited to once it is answered or expired.
 */
import type { ApprovalOutcome, HeldRequest } from '../risk/approval';
import type { Buttons } from './control-commands';

const PREFIX = 'ap:';

export function approvalButtons(clientOrderId: string): Buttons {
  return [[{ text: 'Approve', data: `${PREFIX}y:${clientOrderId}` }, { text: 'Reject', data: `${PREFIX}n:${clientOrderId}` }]];
}

/** A button's callback data as an answer, or undefined when it is not one of ask first's. */
export function parseApprovalData(data: string): { clientOrderId: string; answer: 'approve' | 'reject' } | undefined {
  const m = /^ap:([yn]):([A-Za-z0-9_-]{1,36})$/.exec(data);
  return m ? { clientOrderId: m[2]!, answer: m[1] === 'y' ? 'approve' : 'reject' } : undefined;
}

const num = (x: number) => String(+x.toPrecision(8));
const utc = (ms: number) => new Date(ms).toISOString().slice(11, 16) + ' UTC';

/** The question: what would be bought, at what price and stops, and until when it may be approved. */
export function approvalQuestion(held: HeldRequest): string {
  const r = held.request;
  const price = r.price ?? undefined;
  const lines = [
    `Approve this order? (ask first)`,
    `${r.side} ${num(r.amount)} ${r.symbol}, ${r.type}${price !== undefined ? ` at ${num(price)}` : ''}`,
  ];
  const stops = [r.stopLoss !== undefined ? `stop-loss ${num(r.stopLoss)}` : '', r.takeProfit !== undefined ? `take profit ${num(r.takeProfit)}` : '', r.trailingStop !== undefined ? `trailing ${num(100 * r.trailingStop)} %` : '']
    .filter(Boolean)
    .join(', ');
  if (stops) lines.push(stops);
  if (r.strategy || r.reason) lines.push(`signal: ${[r.strategy, r.reason].filter(Boolean).join(': ')}`);
  lines.push(`Answer by ${utc(held.expiresAt)}, else it expires unsent.`, `id ${r.clientOrderId}`);
  return lines.join('\n');
}

/** The question with its outcome below it (the buttons go). */
export function answeredText(held: HeldRequest, outcome: ApprovalOutcome, by?: string): string {
  const who = by ? ` by ${by}` : '';
  const line = outcome === 'approved' ? `APPROVED${who}: order sent.` : outcome === 'rejected' ? `REJECTED${who}: not sent.` : 'EXPIRED: nobody approved it in time; not sent.';
  return `${approvalQuestion(held)}\n\n${line}`;
}
