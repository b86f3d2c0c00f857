/**
 * The risk gate's "ask first", as glue: a held entry is asked on output 3 (a dashboard, anything)
 * and, with a Telegram bot, in each of its allowed chats with Approve / Reject buttons; an answer
 * comes back as a tap (through the bot's one shared long poll, core/notify/bot-updates.ts) or as a
 * message (topic approve / reject). What an answer does is decided and saved by the stored gate
 * (core/risk/stored-gate.ts, core/risk/approval.ts) before anything is sent; here are the timer of
 * the next deadline, the sends and the Telegram I/O.
 */
import { answeredText, approvalButtons, approvalQuestion, parseApprovalData } from '../../core/notify/approval-question';
import { listenToBot } from '../../core/notify/bot-updates';
import { telegramChannel, type TelegramChannel } from '../../core/notify/channels';
import type { OrderRequest } from '../../core/contract';
import { approvalRejection, type AnswerResult, type ApprovalOutcome, type HeldRequest } from '../../core/risk/approval';
import type { StoredRiskGate } from '../../core/risk/stored-gate';
import type { TelegramConfigNode } from '../shared/telegram-config';

/** Output 1 (order requests), 2 (rejections), 3 (approval requests and answers). */
type Out = [unknown, unknown, unknown];

export interface AskFirstOptions {
  gate: StoredRiskGate;
  /** The bot to ask on, when it has a token (an imported example has none yet). */
  bot?: TelegramConfigNode;
  send(out: Out): void;
  warn(text: string): void;
  log(text: string): void;
  /** The number of requests waiting changed (the node's status). */
  changed(): void;
  /** Resolves once the deploy that created the node has started every node (output 3's wires lead somewhere). */
  flowsStarted: Promise<void>;
}

/** setTimeout's longest delay; a later deadline is looked at again then. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class AskFirst {
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private readonly channels = new Map<number, TelegramChannel>();
  private closed = false;

  constructor(private readonly o: AskFirstOptions) {}

  /**
   * Listens to the bot's taps at once (held requests from before a restart can still be answered;
   * a tap that comes while the state is loading waits for it). check() arms the deadlines.
   */
  start(): void {
    const bot = this.o.bot;
    if (bot?.token) {
      this.stopListening = listenToBot(
        { token: bot.token, apiBase: bot.apiBase },
        {
          onCallback: async (c, answer) => {
            const parsed = parseApprovalData(c.data);
            if (!parsed) return false;
            await this.o.gate.load().catch(() => undefined);
            if (!this.o.gate.knows(parsed.clientOrderId)) return false;
            if (!bot.allowedChats.includes(c.chatId)) {
              this.o.warn(`refused an approval tap from chat ${c.chatId}: not an allowed chat`);
              await answer('This chat is not allowed to answer this bot.');
              return true;
            }
            const result = await this.answer(parsed.clientOrderId, parsed.answer, `chat ${c.chatId}`).catch((err: Error) => {
              this.o.warn(err.message);
              return undefined;
            });
            await answer(result === undefined ? 'Not recorded: try again.' : 'decided' in result ? result.decided : 'already' in result ? `Already ${result.already}.` : undefined);
            return true;
          },
        },
      );
    }
  }

  /**
   * Once the state is loaded: expires what is due (a deadline passed while Node-RED was stopped),
   * arms the next deadline, and sends the requests still waiting from before a restart or a
   * redeploy on output 3 again (`restored: true`), so a dashboard's list of them fills again.
   */
  check(): void {
    void Promise.all([this.expireDue(), this.o.flowsStarted]).then(() => {
      if (this.closed) return;
      for (const held of this.o.gate.held) this.o.send([null, null, { topic: held.request.symbol, payload: { ...approvalRequestPayload(held), restored: true } }]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.stopListening?.();
  }

  /** A request the gate has just held: the question goes out on output 3 and to the bot's chats. */
  async ask(held: HeldRequest, msg: Record<string, unknown>): Promise<void> {
    const r = held.request;
    this.o.send([null, null, { ...msg, topic: r.symbol, payload: approvalRequestPayload(held) }]);
    this.o.changed();
    this.schedule();
    const bot = this.o.bot;
    if (!bot?.token) return;
    for (const chatId of bot.allowedChats) {
      const channel = this.channelTo(chatId);
      try {
        for (const gate of channel.gates) await gate.slot();
        const sent = await channel.send(approvalQuestion(held), { buttons: approvalButtons(r.clientOrderId) });
        if (!sent || (await this.o.gate.asked(held, { chatId, messageId: sent.messageId }))) continue;
        // Answered while this question was on its way (another chat, the dashboard): it says so at once.
        const outcome = this.o.gate.outcomeOf(r.clientOrderId);
        if (outcome) this.edit(chatId, sent.messageId, answeredText(held, outcome));
      } catch (err) {
        this.o.warn(`ask first: the question to chat ${chatId} failed (${(err as Error).message}); it can still be answered on output 3's side`);
      }
    }
  }

  /**
   * An answer to a held request (a tap, or a message), at the wall clock's now. Decided: the order
   * (approved) or the rejection (rejected, expired) goes out, once; answered before: nothing.
   */
  async answer(clientOrderId: string, answer: 'approve' | 'reject', by: string): Promise<AnswerResult> {
    const result = await this.o.gate.answer(clientOrderId, answer, Date.now());
    if ('decided' in result) this.settled(result.held, result.decided, by);
    else if ('already' in result) this.o.log(`ask first: ${clientOrderId} was already ${result.already}; the ${answer} from ${by} changes nothing`);
    return result;
  }

  private async expireDue(): Promise<void> {
    if (this.closed) return;
    const due = await this.o.gate.expire(Date.now()).catch(() => []);
    for (const held of due) this.settled(held, 'expired');
    this.schedule();
  }

  /** Sends what an outcome sends, and edits the Telegram questions to say it (their buttons go). */
  private settled(held: HeldRequest, outcome: ApprovalOutcome, by?: string): void {
    const r = held.request;
    const answerMsg = { topic: r.symbol, payload: { kind: 'approvalAnswer', clientOrderId: r.clientOrderId, outcome, ...(by ? { by } : {}), ts: Date.now() } };
    if (outcome === 'approved') this.o.send([{ topic: r.symbol, payload: r as OrderRequest, approval: { by } }, null, answerMsg]);
    else this.o.send([null, { topic: r.symbol, payload: approvalRejection(held, outcome, Date.now()) }, answerMsg]);
    this.o.changed();
    this.schedule();
    for (const { chatId, messageId } of held.asked ?? []) this.edit(chatId, messageId, answeredText(held, outcome, by));
  }

  /** Replaces a question's text (its buttons go); a failure is logged, the outcome stands. */
  private edit(chatId: number, messageId: number, text: string): void {
    this.channelTo(chatId)
      .edit(messageId, text)
      .catch((err: Error) => this.o.warn(`ask first: the question in chat ${chatId} could not be updated (${err.message})`));
  }

  private schedule(): void {
    clearTimeout(this.timer);
    const next = this.o.gate.nextExpiry();
    if (next === undefined || this.closed) return;
    this.timer = setTimeout(() => void this.expireDue(), Math.min(MAX_DELAY_MS, Math.max(0, next - Date.now())));
  }

  private channelTo(chatId: number): TelegramChannel {
    let channel = this.channels.get(chatId);
    if (!channel) this.channels.set(chatId, (channel = telegramChannel({ token: this.o.bot!.token!, chatId: String(chatId), apiBase: this.o.bot!.apiBase, format: 'plain' })));
    return channel;
  }
}

/** Output 3's payload for a held request: what a dashboard shows, and the id its buttons send back. */
export function approvalRequestPayload(held: HeldRequest): Record<string, unknown> {
  const r = held.request;
  return { kind: 'approvalRequest', clientOrderId: r.clientOrderId, symbol: r.symbol, side: r.side, amount: r.amount, ...(r.price !== undefined ? { price: r.price } : {}), request: r, heldAt: held.heldAt, expiresAt: held.expiresAt, question: approvalQuestion(held) };
}
