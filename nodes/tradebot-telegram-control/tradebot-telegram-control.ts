/**
 * tradebot-telegram-control (palette: telegram control): answers /status, /balance, /positions,
 * /profit, /trades, /daily, /weekly, /monthly, /performance, /count (the last ones from the trade
 * journal), /pause (alias /stopentry), /resume, /forceexit and /help from the allowed chats, by
 * long-polling the bot's updates. /pause and /resume switch the kill switch (no new entries) of
 * every risk gate on the exchange, and also go out as msg.topic "kill" / "resume" for anything
 * else wired to the output. /forceexit answers with Confirm / Cancel buttons; Confirm has a risk
 * gate of the exchange send the market sells. Other chats and unknown commands are refused and
 * logged without their text. Glue only: core/notify does the work.
 */
import { ConfigError } from '../../core/errors';
import { handleCallback, handleCommand, isControlCallback } from '../../core/notify/control-commands';
import { sessionControl } from '../../core/notify/control-provider';
import { ControlReplies } from '../../core/notify/control-replies';
import { telegramChannel } from '../../core/notify/channels';
import { parsePollSeconds } from '../../core/notify/telegram-poller';
import { listenToBot } from '../../core/notify/bot-updates';
import { currencySetting } from '../../core/setting-values';
import { sessionOf } from '../shared/exchange-node';
import { registerTradebotNode } from '../shared/node-harness';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';
import type { TelegramConfigNode } from '../shared/telegram-config';

type ControlNodeDef = NodeDef & { telegram: string; exchange?: string; currency?: string; pollSeconds?: string | number };

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, saying which (shared/node-harness.ts); it never polls.
  registerTradebotNode<ControlNodeDef>(RED, 'tradebot-telegram-control', (kit, config) => {
    const { node } = kit;
    const bot = kit.configNode<TelegramConfigNode>(config.telegram);
    const currency = currencySetting(config.currency, 'currency');
    const pollSeconds = parsePollSeconds(config.pollSeconds);
    if (!bot) throw new ConfigError('telegram: pick or add a Telegram bot config node', 'telegram');
    if (bot.configError) throw new ConfigError(bot.configError, 'telegram');
    if (!bot.token) {
      // Not yet set up (an imported example ships without a token): a valid state, not a warning;
      // the node idles and its status says what it waits for.
      node.status({ fill: 'blue', shape: 'ring', text: 'no Telegram bot token set: not listening for commands' });
      return;
    }
    const token = bot.token;
    if (!bot.allowedChats.length) node.warn('no allowed chats: every command will be refused (add your chat id on the Telegram bot config node)');
    // No exchange is not a configuration error here: the commands that need one say so.
    const { session, error } = config.exchange ? sessionOf(RED, config.exchange) : { session: undefined, error: undefined };
    if (error) node.warn(`exchange: ${error.message}; /status and the like will say so`);
    const provider = sessionControl(session, currency, (paused) => node.send({ topic: paused ? 'kill' : 'resume', payload: { source: 'telegram' } }));
    // One channel per chat, kept, so Telegram's per-chat rate limit holds (core/notify/control-replies.ts).
    const replies = new ControlReplies(
      (chatId) => telegramChannel({ token, chatId: String(chatId), apiBase: bot.apiBase, format: 'plain' }),
      (text) => node.warn(text),
    );
    const note = (n: { warn: string } | { status: string }) => ('warn' in n ? node.warn(n.warn) : node.status(statusFor('live', n.status)));
    // The bot's one long poll, shared with risk gates that ask first on the same bot (core/notify/bot-updates.ts).
    const stop = listenToBot(
      { token, apiBase: bot.apiBase },
      {
        onStatus: (state, text) => node.status(statusFor(state === 'polling' ? 'live' : state === 'retrying' ? 'reconnecting' : 'error', text)),
        onMessage: async (m) => {
          const outcome = await handleCommand(m.text, m.chatId, bot.allowedChats, provider).catch((err: Error) => ({ command: 'error', reply: `Error: ${err.message}` }));
          await replies.answer(m.chatId, outcome, note);
        },
        // A tap on Confirm / Cancel of a /forceexit question; other buttons are not this node's.
        onCallback: async (c, answer) => {
          if (!isControlCallback(c.data)) return false;
          const outcome = await handleCallback(c.data, c.chatId, bot.allowedChats, provider).catch((err: Error) => ({ command: 'error', reply: `Error: ${err.message}` }));
          await answer('refused' in outcome ? undefined : outcome.command === 'error' ? 'failed' : 'done');
          await replies.answer(c.chatId, outcome, note);
          return true;
        },
      },
      pollSeconds,
    );
    node.on('close', (_removed: boolean, done: () => void) => {
      stop().finally(done);
    });
  });
};
