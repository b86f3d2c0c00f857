/**
 * tradebot-telegram (config): one Telegram bot, shared by notifiers and the control node: its
 * token (a Node-RED credential), the API address (configurable for proxies and tests), and the
 * chats allowed to control the bot. Glue only.
 */
import { ConfigError } from '../../core/errors';
import { configNodeError } from '../shared/config-error';
import { parseChatIds } from '../../core/notify/settings';
import { guardOutputs, holdSecrets } from '../shared/redaction';
import { textSetting } from '../../core/setting-values';
import type { NodeAPI, NodeDef } from '../shared/types';
import type { TelegramConfigNode } from '../shared/telegram-config';
import { DEFAULT_TELEGRAM_API } from './spec';

interface TelegramNodeDef extends NodeDef {
  apiBase: string;
  allowedChats: string;
}

export = function register(RED: NodeAPI): void {
  function TradebotTelegramNode(this: TelegramConfigNode & { credentials?: { token?: string } }, config: TelegramNodeDef) {
    RED.nodes.createNode(this, config);
    this.token = this.credentials?.token?.trim() || undefined;
    // The token, and its secret part after the bot id, are redacted from every text any node shows.
    guardOutputs(this);
    holdSecrets(this, [this.token, this.token?.split(':').slice(1).join(':')]);
    this.apiBase = DEFAULT_TELEGRAM_API;
    this.allowedChats = [];
    // Never throws: a config node that throws is left out and every node using it sees "missing".
    // The problem is kept in configError; the notifier and control nodes show it, red.
    try {
      this.apiBase = textSetting(config.apiBase, 'telegram.apiBase', DEFAULT_TELEGRAM_API);
      if (!/^https?:\/\/[^\s]+$/.test(this.apiBase)) throw new ConfigError('telegram.apiBase: must be an http(s) URL', 'telegram.apiBase');
      this.allowedChats = parseChatIds(typeof config.allowedChats === 'number' ? String(config.allowedChats) : textSetting(config.allowedChats, 'telegram.allowedChats', ''), 'telegram.allowedChats');
    } catch (err) {
      configNodeError(this, err, { log: false });
    }
  }
  RED.nodes.registerType('tradebot-telegram', TradebotTelegramNode as any, { credentials: { token: { type: 'password' } } });
};
