/**
 * How the Telegram control node answers: one channel per chat, kept for the node's life, so its
 * per-chat rate gate (Telegram allows about one message a second to a chat) counts every reply to
 * that chat, and the bot's shared gate every reply of the bot; a reply that fails is logged and
 * dropped (the command was carried out; the poller must go on). What the node logs and shows of
 * a command's outcome is decided here too: a refused message is logged without its text (it may
 * be anything, from anyone).
 */
import type { Channel } from './channels';
import type { Buttons, CommandOutcome } from './control-commands';

export class ControlReplies {
  private readonly channels = new Map<number, Channel>();

  constructor(
    /** Makes the channel to one chat (telegramChannel in the node). */
    private readonly channelTo: (chatId: number) => Channel,
    /** Where a failed reply is reported (the node's warn). */
    private readonly warn: (text: string) => void,
  ) {}

  /** Sends one reply to a chat once its rate gates allow; never throws. */
  async reply(chatId: number, text: string, buttons?: Buttons): Promise<void> {
    let channel = this.channels.get(chatId);
    if (!channel) this.channels.set(chatId, (channel = this.channelTo(chatId)));
    for (const gate of channel.gates) await gate.slot();
    await channel.send(text, buttons ? { buttons } : undefined).catch((err: Error) => this.warn(`reply to chat ${chatId} failed: ${err.message}`));
  }

  /** Answers a command's outcome: its note (see outcomeNote) and its reply, if it has one. */
  async answer(chatId: number, outcome: CommandOutcome, note: (n: OutcomeNote) => void): Promise<void> {
    note(outcomeNote(chatId, outcome));
    if (outcome.reply) await this.reply(chatId, outcome.reply, 'buttons' in outcome ? outcome.buttons : undefined);
  }
}

/** A log line (warn) for a refused message, or the status text for a command carried out. */
export type OutcomeNote = { warn: string } | { status: string };

export function outcomeNote(chatId: number, outcome: CommandOutcome): OutcomeNote {
  if ('refused' in outcome) {
    return { warn: outcome.refused === 'chat' ? `refused a message from chat ${chatId}: not an allowed chat` : `refused an unknown command from chat ${chatId}` };
  }
  return { status: `/${outcome.command} from ${chatId}` };
}
