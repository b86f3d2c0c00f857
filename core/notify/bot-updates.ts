/**
 * One long poll per Telegram bot, shared by every node that listens to it: Telegram allows one
 * getUpdates at a time per bot (a second one ends the first with 409), so the Telegram control
 * node (commands, /forceexit's buttons) and the risk gates that ask first (Approve / Reject) hear
 * the bot through one poller. It starts with the first listener and stops with the last. A tap is
 * offered to the listeners in turn until one claims it; one nobody claims is answered, so the
 * button's spinner stops.
 */
import { TelegramPoller, type TelegramCallback, type TelegramMessage } from './telegram-poller';

export interface BotListener {
  onMessage?(m: TelegramMessage): void | Promise<void>;
  /** True when the tap was this listener's (it has answered it with `answer`). */
  onCallback?(c: TelegramCallback, answer: (text?: string) => Promise<void>): boolean | Promise<boolean>;
  onStatus?(state: 'polling' | 'retrying' | 'error', text: string): void;
}

export interface BotAddress {
  token: string;
  apiBase?: string;
}

interface Hub {
  poller: TelegramPoller;
  listeners: Set<BotListener>;
  /** The poll's last status, told to a listener that joins later. */
  last?: { state: 'polling' | 'retrying' | 'error'; text: string };
}

/** By token and API address (the token never leaves this map). */
const hubs = new Map<string, Hub>();
const NOT_WAITING = 'Nothing waits for this answer any more.';

/** Listens to a bot's updates; the returned function stops listening (and the poll, for the last listener). */
export function listenToBot(bot: BotAddress, listener: BotListener, timeoutSec?: number): () => Promise<void> {
  const key = `${bot.apiBase ?? ''}\n${bot.token}`;
  let hub: Hub | undefined = hubs.get(key);
  if (!hub) {
    const listeners = new Set<BotListener>();
    const poller: TelegramPoller = new TelegramPoller({
      token: bot.token,
      apiBase: bot.apiBase,
      timeoutSec,
      onStatus: (state, text) => {
        if (hub) hub.last = { state, text };
        listeners.forEach((l) => l.onStatus?.(state, text));
      },
      onMessage: async (m) => {
        for (const l of [...listeners]) await l.onMessage?.(m);
      },
      onCallback: async (c) => {
        const answer = (text?: string) => poller.answerCallback(c.id, text);
        for (const l of [...listeners]) if (l.onCallback && (await l.onCallback(c, answer))) return;
        await answer(NOT_WAITING);
      },
    });
    hub = { poller, listeners };
    hubs.set(key, hub);
    poller.start();
  }
  const mine = hub;
  mine.listeners.add(listener);
  if (mine.last) listener.onStatus?.(mine.last.state, mine.last.text);
  return async () => {
    mine.listeners.delete(listener);
    if (mine.listeners.size || hubs.get(key) !== mine) return;
    hubs.delete(key);
    await mine.poller.stop();
  };
}
