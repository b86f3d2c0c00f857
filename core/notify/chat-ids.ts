/** Telegram chat ids as the settings hold them. No zod here: the editor bundle checks chat ids with these too. */

import { ConfigError } from '../errors';

/** A chat a notifier sends to: a number (-100… for groups and channels) or @channelname. */
export const CHAT_ID_RE = /^-?\d+$|^@\w+$/;

/** Checked when a Telegram channel is set up (an imported example may not have one yet). */
export function checkChatId(chatId: string): void {
  if (!CHAT_ID_RE.test(chatId)) {
    throw new ConfigError('notifier.chatId: a Telegram chat id (a number such as 123456789, or -100... for groups) or @channelname', 'notifier.chatId');
  }
}

/** "123, -100456" -> [123, -100456]; the chats allowed to control the bot. */
export function parseChatIds(text: string | undefined, field = 'allowedChats'): number[] {
  const parts = String(text ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean);
  return parts.map((p) => {
    if (!/^-?\d+$/.test(p)) throw new Error(`${field}: "${p}" is not a chat id (a whole number)`);
    return Number(p);
  });
}
