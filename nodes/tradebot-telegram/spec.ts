/** The Telegram bot config node's settings (see nodes/shared/spec.ts). */
import { parseChatIds } from '../../core/notify/chat-ids';
import type { NodeSpec } from '../shared/spec';
import { accepts, nameField } from '../shared/spec-fields';

export const DEFAULT_TELEGRAM_API = 'https://api.telegram.org';

export interface TelegramConfig {
  name: string;
  apiBase: string;
  allowedChats: string;
}

/** "123, -100456" -> the entries that are not chat ids (as the runtime splits them: commas, semicolons, spaces). */
export function badChatIds(v: unknown): string[] {
  return String(v ?? '')
    .split(/[\s,;]+/)
    .filter((p) => p !== '' && !accepts(() => parseChatIds(p)));
}

export const telegramSpec: NodeSpec<TelegramConfig> = {
  type: 'tradebot-telegram',
  category: 'config',
  color: '#ffffff',
  paletteLabel: 'Telegram bot',
  icon: '',
  inputs: 0,
  outputs: 0,
  defaults: {
    name: nameField,
    apiBase: {
      value: DEFAULT_TELEGRAM_API,
      label: 'API URL',
      check: (v) => {
        const url = String(v ?? '').trim();
        return url === '' || /^https?:\/\/[^\s]+$/.test(url) || 'must be an http(s) URL, e.g. ' + DEFAULT_TELEGRAM_API;
      },
    },
    allowedChats: {
      value: '',
      label: 'Allowed chats',
      check: (v) => {
        const bad = badChatIds(v);
        return bad.length === 0 || ': "' + bad[0] + '" is not a chat id (a whole number, e.g. 123456789 or -1001234567890)';
      },
    },
  },
  defaultName: () => 'Telegram bot',
};
