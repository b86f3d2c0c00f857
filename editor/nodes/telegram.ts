/** The Telegram bot config node's dialog: the allowed chats read back as the runtime will take them. */
import { badChatIds, telegramSpec } from '../../nodes/tradebot-telegram/spec';
import { fromSpec } from '../shared/definition';
import { text } from '../shared/values';

export const telegram = () => {
  const def = fromSpec(telegramSpec, {
    oneditprepare: function () {
      function showChats(): void {
        const v = $('#node-config-input-allowedChats').val();
        const ids = text(v)
          .split(/[\s,;]+/)
          .filter((p) => p !== '');
        const tip = $('#node-config-tradebot-telegram-chats');
        if (badChatIds(v).length) tip.text('chat ids are whole numbers, separated by commas');
        else if (ids.length === 0) tip.text('none: a telegram control node on this bot refuses every command (notifications are not affected)');
        else tip.text(ids.length === 1 ? '1 chat may control the bot' : ids.length + ' chats may control the bot');
      }
      $('#node-config-input-allowedChats').on('change keyup input', showChats);
      showChats();
    },
  });
  // Optional: without a token the notifiers and the control node on this bot idle, texts on their outputs only.
  def.credentials = { token: { type: 'password' } };
  return def;
};
