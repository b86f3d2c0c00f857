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
import { handleCallback, handleCommand, type Buttons, type CommandOutcome } from '../../core/notify/control-commands';
import { sessionControl } from '../../core/notify/control-provider';
import { telegramChannel } from '../../core/notify/channels';
import { parsePollSeconds, TelegramPoller } from '../../core/notify/telegram-poller';
import { currencySetting } from '../../core/setting-values';
import { sessionOf } from '../shared/exchange-node';
import { instrument } from '../shared/instrument';
import { statusFor } from '../shared/status';
import { setUpNode } from '../shared/config-error';
import type { Node, NodeAPI, NodeDef } from '../shared/types';
import type { TelegramConfigNode } from '../shared/telegram-config';

type ControlNodeDef = NodeDef & { telegram: string; exchange?: string; currency?: string; pollSeconds?: string | number };

export = function register(RED: NodeAPI): void {
  function TradebotTelegramControlNode(this: Node, config: ControlNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    const bot = RED.nodes.getNode(config.telegram) as TelegramConfigNode | null;
    // A bad setting leaves the node in the flow, red, saying which (shared/config-error.ts); it never polls.
    setUpNode(RED, node, () => {
      const currency = currencySetting(config.currency, 'currency');
      const pollSeconds = parsePollSeconds(config.pollSeconds);
      if (!bot) throw new Error('telegram: pick or add a Telegram bot config node');
      if (bot.configError) throw new Error(bot.configError);
      if (!bot.token) {
        // Not yet set up (an imported example ships without a token): a valid state, not a warning;
        // the node idles and its status says what it waits for.
        node.status({ fill: 'blue', shape: 'ring', text: 'no Telegram bot token set: not listening for commands' });
        return;
      }
      if (!bot!.allowedChats.length) node.warn('no allowed chats: every command will be refused (add your chat id on the Telegram bot config node)');
      const { session, error } = config.exchange ? sessionOf(RED, config.exchange) : { session: undefined, error: undefined };
      if (error) node.warn(`exchange: ${error.message}; /status and the like will say so`);
      const provider = sessionControl(session, currency, (paused) => node.send({ topic: paused ? 'kill' : 'resume', payload: { source: 'telegram' } }));
      const replies = new Map<number, ReturnType<typeof telegramChannel>>();
      const reply = async (chatId: number, text: string, buttons?: Buttons) => {
        let channel = replies.get(chatId);
        if (!channel) replies.set(chatId, (channel = telegramChannel({ token: bot!.token!, chatId: String(chatId), apiBase: bot!.apiBase, format: 'plain' })));
        for (const gate of channel.gates) await gate.slot();
        await channel.send(text, buttons ? { buttons } : undefined).catch((err: Error) => node.warn(`reply to chat ${chatId} failed: ${err.message}`));
      };
      const answer = async (chatId: number, outcome: CommandOutcome) => {
        if ('refused' in outcome) {
          // Logged without the message text: it may be anything, from anyone.
          node.warn(outcome.refused === 'chat' ? `refused a message from chat ${chatId}: not an allowed chat` : `refused an unknown command from chat ${chatId}`);
        } else {
          node.status(statusFor('live', `/${outcome.command} from ${chatId}`));
        }
        if (outcome.reply) await reply(chatId, outcome.reply, 'buttons' in outcome ? outcome.buttons : undefined);
      };
      const poller = new TelegramPoller({
        token: bot!.token!,
        apiBase: bot!.apiBase,
        timeoutSec: pollSeconds,
        onStatus: (state, text) => node.status(statusFor(state === 'polling' ? 'live' : state === 'retrying' ? 'reconnecting' : 'error', text)),
        onMessage: async (m) => {
          const outcome = await handleCommand(m.text, m.chatId, bot!.allowedChats, provider).catch((err: Error) => ({ command: 'error', reply: `Error: ${err.message}` }));
          await answer(m.chatId, outcome);
        },
        // A tap on Confirm / Cancel of a /forceexit question.
        onCallback: async (c) => {
          const outcome = await handleCallback(c.data, c.chatId, bot!.allowedChats, provider).catch((err: Error) => ({ command: 'error', reply: `Error: ${err.message}` }));
          await poller.answerCallback(c.id, 'refused' in outcome ? undefined : outcome.command === 'error' ? 'failed' : 'done');
          await answer(c.chatId, outcome);
        },
      });
      poller.start();
      node.on('close', (_removed: boolean, done: () => void) => {
        poller.stop().finally(done);
      });
    });
  }
  RED.nodes.registerType('tradebot-telegram-control', TradebotTelegramControlNode as any);
};
