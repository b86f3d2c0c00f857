/**
 * The Telegram control node's replies (core/notify/control-replies.ts): one channel per chat,
 * kept, so the per-chat rate gate spaces every reply to a chat; a failed reply is logged, never
 * thrown; a refused message is logged without its text.
 */
import assert from 'node:assert/strict';
import type { Channel, SendOptions } from '../../core/notify/channels';
import { ControlReplies, outcomeNote, type OutcomeNote } from '../../core/notify/control-replies';
import { RateGate } from '../../core/notify/rate-gate';

const GAP_MS = 80;

/** Channels that record what they send, and when; each with its own per-chat gate, as telegramChannel makes them. */
function recordingChannels(fail = new Set<number>()) {
  const made: number[] = [];
  const sent: Array<{ chatId: number; text: string; options?: SendOptions; at: number }> = [];
  const channelTo = (chatId: number): Channel => {
    made.push(chatId);
    return {
      name: `telegram chat ${chatId}`,
      format: 'plain',
      gates: [new RateGate(GAP_MS)],
      async send(text, options) {
        if (fail.has(chatId)) throw new Error('Forbidden: bot was blocked by the user');
        sent.push({ chatId, text, options, at: Date.now() });
      },
    };
  };
  return { made, sent, channelTo };
}

describe('control replies: per chat, rate-limited, never throwing', function () {
  it('keeps one channel per chat, so replies to one chat are spaced by its gate and other chats are not held up', async function () {
    const { made, sent, channelTo } = recordingChannels();
    const replies = new ControlReplies(channelTo, () => assert.fail('no reply fails'));
    await Promise.all([replies.reply(1, 'a'), replies.reply(1, 'b'), replies.reply(2, 'c')]);
    await replies.reply(1, 'd');
    assert.deepEqual(made, [1, 2], 'one channel per chat, made once');
    assert.deepEqual(
      sent.map((s) => `${s.chatId}:${s.text}`),
      ['1:a', '2:c', '1:b', '1:d'],
    );
    const toOne = sent.filter((s) => s.chatId === 1).map((s) => s.at);
    for (let i = 1; i < toOne.length; i++) assert.ok(toOne[i] - toOne[i - 1] >= GAP_MS - 5, `replies to chat 1 ${toOne[i] - toOne[i - 1]} ms apart`);
  });

  it('a reply that fails is logged with the chat, and the next reply to another chat still goes', async function () {
    const { sent, channelTo } = recordingChannels(new Set([7]));
    const warnings: string[] = [];
    const replies = new ControlReplies(channelTo, (t) => warnings.push(t));
    await replies.reply(7, 'hello');
    await replies.reply(8, 'hello');
    assert.deepEqual(warnings, ['reply to chat 7 failed: Forbidden: bot was blocked by the user']);
    assert.deepEqual(
      sent.map((s) => s.chatId),
      [8],
    );
  });

  it('answers an outcome: the status for a command, a log line without the text for a refusal, and the reply with its buttons', async function () {
    const { sent, channelTo } = recordingChannels();
    const notes: OutcomeNote[] = [];
    const replies = new ControlReplies(channelTo, () => undefined);
    const buttons = [[{ text: 'Confirm', data: 'fx:1' }]];
    await replies.answer(5, { command: 'forceexit', reply: 'Close BTC/USDT?', buttons }, (n) => notes.push(n));
    await replies.answer(6, { refused: 'chat', reply: 'This chat is not allowed to control this bot.' }, (n) => notes.push(n));
    await replies.answer(5, { refused: 'command' }, (n) => notes.push(n));
    assert.deepEqual(notes, [{ status: '/forceexit from 5' }, { warn: 'refused a message from chat 6: not an allowed chat' }, { warn: 'refused an unknown command from chat 5' }]);
    assert.deepEqual(
      sent.map((s) => [s.chatId, s.text, s.options]),
      [
        [5, 'Close BTC/USDT?', { buttons }],
        [6, 'This chat is not allowed to control this bot.', undefined],
      ],
      'an outcome without a reply sends nothing',
    );
    assert.deepEqual(outcomeNote(9, { refused: 'command', reply: 'Unknown command.' }), { warn: 'refused an unknown command from chat 9' });
  });
});
