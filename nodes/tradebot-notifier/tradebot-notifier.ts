/**
 * tradebot-notifier (palette: notifier): turns signals, order updates, rejections, breaker trips,
 * errors and portfolio summaries into messages for Telegram or a webhook, and passes the text on
 * (output 1) for any other node to deliver. Never blocks the flow: done() comes at once, delivery
 * runs in the background. Glue only: core/notify decides and delivers.
 */
import { telegramChannel, webhookChannel, type Channel } from '../../core/notify/channels';
import { NotificationService } from '../../core/notify/notification-service';
import { checkChatId, parseNotifierConfig } from '../../core/notify/settings';
import { WEBHOOK_URL_RE } from '../../core/notify/notifier-rules';
import { ConfigError } from '../../core/errors';
import { statusFor, StatusThrottle } from '../shared/status';
import type { Node, NodeAPI, NodeDef } from '../shared/types';
import type { TelegramConfigNode } from '../shared/telegram-config';
import { registerTradebotNode } from '../shared/node-harness';
import { holdSecrets } from '../shared/redaction';

type NotifierNodeDef = NodeDef & Record<string, unknown> & { telegram?: string };

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<NotifierNodeDef>(
    RED,
    'tradebot-notifier',
    (kit, config) => {
      const node = kit.node as Node & { credentials?: { webhookUrl?: string } };
      const status = new StatusThrottle((s) => node.status(s), 1000);
      let service: NotificationService | undefined;
      const webhookUrl = node.credentials?.webhookUrl?.trim();
      // The webhook URL, and the path that holds its secret (Discord, Slack), are redacted from every text
      // any node shows, this one's status, warnings and done(err) included (instrument() wraps them).
      holdSecrets(node, [webhookUrl, webhookPath(webhookUrl)]);
      node.on('close', (_removed: boolean, done: () => void) => {
        status.clear();
        // Queued notifications still go out (for a few seconds) after a redeploy; the close does not wait for them.
        void service?.close();
        done();
      });
      const { config: c, settings } = parseNotifierConfig(config);
      const channels: Channel[] = [];
      let outputOnly: string | undefined;
      if (c.channel === 'telegram') {
        const bot = kit.configNode<TelegramConfigNode>(config.telegram);
        if (!bot) throw new ConfigError('notifier.telegram: pick or add a Telegram bot config node', 'notifier.telegram');
        if (bot.configError) throw new ConfigError(bot.configError, 'notifier.telegram');
        if (!bot.token || !c.chatId) {
          // Not yet set up for Telegram (an imported example ships without a token or chat id): a valid
          // state, not a warning. The texts go to the output, and the status says where they go.
          outputOnly = `no Telegram ${!bot.token ? 'bot token' : 'chat id'} set: texts go to the output only`;
        } else {
          checkChatId(c.chatId);
          channels.push(telegramChannel({ token: bot.token, chatId: c.chatId, apiBase: bot.apiBase, format: c.parseMode }));
        }
      } else if (c.channel === 'webhook') {
        if (!webhookUrl || !WEBHOOK_URL_RE.test(webhookUrl)) throw new ConfigError('notifier.webhookUrl: an http(s) URL (kept as a credential)', 'notifier.webhookUrl');
        channels.push(webhookChannel({ url: webhookUrl, preset: c.webhookPreset }));
      }
      const running = (service = new NotificationService(
        settings,
        channels,
        {
          passThrough: (text) => node.send({ topic: 'notification', payload: text }),
          status: (text, level) => status.update(statusFor(level === 'ok' ? 'live' : level === 'warn' ? 'reconnecting' : 'error', text)),
          dropped: (channel, reason) => node.warn(`notification to ${channel} dropped: ${reason}`),
        },
        { maxQueue: c.maxQueue, maxAttempts: 5, backoff: { initialMs: 1000, maxMs: 60_000 } },
      ));
      status.now(outputOnly ? { fill: 'blue', shape: 'ring', text: outputOnly } : statusFor('stopped', channels.length ? `ready: ${channels.map((ch) => ch.name).join(', ')}` : 'pass-through only'));

      // A template that fails on this message: reported (done(err)), the flow goes on.
      kit.onInput((msg) => {
        running.handle(msg);
      });
    },
    { credentials: { webhookUrl: { type: 'password' } } },
  );
};

/** The path and query of a webhook URL, where Discord and Slack keep the secret (short paths are not secret). */
function webhookPath(url: string | undefined): string | undefined {
  try {
    const u = new URL(url ?? '');
    const rest = u.pathname + u.search;
    return rest.length >= 12 ? rest : undefined;
  } catch {
    // Not a URL (refused at set-up): the text as a whole is redacted already.
    return undefined;
  }
}
