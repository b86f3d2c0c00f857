/** The Telegram control node's dialog: which chats the chosen bot answers, and what no exchange means. */
import { telegramControlSpec } from '../../nodes/tradebot-telegram-control/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';
import { text } from '../shared/values';

export const telegramControl = () =>
  fromSpec(telegramControlSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['telegram']);
    },
    oneditprepare: function () {
      /** Which chats the selected bot answers, from its config node (as saved in the editor). */
      function showChats(): void {
        const id = $('#node-input-telegram').val();
        const bot = id && id !== '_ADD_' ? RED.nodes.node(id) : null;
        const tip = $('#tradebot-telegram-control-chats');
        if (!bot) {
          tip.text('Pick or add the Telegram bot; its config node lists the chats allowed to control it.');
          return;
        }
        const chats = text(bot.allowedChats)
          .split(/[\s,;]+/)
          .filter((p) => p !== '');
        tip.text(
          chats.length
            ? 'Answers only chat' + (chats.length === 1 ? ' ' : 's ') + chats.join(', ') + ' (set on the bot config node); every other chat is refused.'
            : 'The bot config node allows no chat yet: every command will be refused. Add your chat id there.',
        );
      }
      function showExchange(): void {
        const id = $('#node-input-exchange').val();
        $('#tradebot-telegram-control-no-exchange').toggle(!id || id === '_ADD_');
      }
      $('#node-input-telegram').on('change', showChats);
      $('#node-input-exchange').on('change', showExchange);
      showChats();
      showExchange();
    },
  });
