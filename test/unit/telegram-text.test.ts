/**
 * The Telegram cut over many random notifications: texts rendered by the notifier's templates
 * from data full of markup characters and emoji, in HTML, MarkdownV2 and plain, cut to random
 * limits. Every result must parse with the mock Bot API's port of Telegram's own parsers, and
 * its parsed length must be within the limit and close to it.
 */
import assert from 'node:assert/strict';
import { DEFAULT_TEMPLATES, renderTemplate, type TextFormat } from '../../core/notify/templates';
import { fitText, visibleLength } from '../../core/notify/telegram-text';
import { parseHtml, parseMarkdownV2 } from '../support/mock-telegram';
import { seededRandom } from '../support/seeded-random';

const prng = seededRandom;

const PIECES = ['<', '>', '&', '&amp;', '"', "'", '.', '-', '_', '*', '`', '\\', '[', ']', '(', ')', '!', '|', '~', '#', '+', '=', '{', '}', '📈', '🟢', 'é', 'a', 'b', 'BTC/USDT', ' ', '\n', '&lt;b&gt;', '<b>', '</i>'];

function text(random: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += PIECES[Math.floor(random() * PIECES.length)];
  return out;
}

/** What Telegram would show: the parsed text (plain text is sent as it is). */
function parsed(format: TextFormat, t: string): string {
  if (format === 'HTML') return parseHtml(t).text;
  if (format === 'MarkdownV2') return parseMarkdownV2(t).text;
  return t;
}

describe('fitText: a cut Telegram always accepts', function () {
  it('random notifications in every format, cut to random limits: valid, within the limit, close to it', function () {
    const random = prng(20261202);
    for (let i = 0; i < 600; i++) {
      const format = (['HTML', 'MarkdownV2', 'plain'] as const)[i % 3];
      const kind = (['signal', 'order', 'rejection', 'error'] as const)[Math.floor(random() * 4)];
      const msg = {
        payload: { kind: kind === 'error' ? undefined : kind === 'order' ? 'orderUpdate' : kind, symbol: text(random, 3), side: 'buy', price: 1.5, strategy: text(random, 5), reason: text(random, 20 + Math.floor(random() * 400)), code: text(random, 4), status: 'closed', filled: 1, amount: 1, fee: { cost: 0.1, currency: 'USDT' }, mode: 'sim' },
        error: { message: text(random, 100), source: { type: 'x', name: text(random, 5) } },
      };
      const full = renderTemplate(DEFAULT_TEMPLATES[kind], msg, format);
      const max = 20 + Math.floor(random() * 300);
      const cut = fitText(format, full, max);
      let shown: string;
      try {
        shown = parsed(format, cut);
      } catch (err) {
        assert.fail(`case ${i} (${format}, max ${max}): Telegram would refuse it: ${(err as Error).message}\n${cut}`);
      }
      assert.ok(shown.length <= max, `case ${i}: ${shown.length} > ${max}`);
      assert.equal(visibleLength(format, cut), shown.length, `case ${i}: visibleLength counts as Telegram does`);
      if (visibleLength(format, full) > max) {
        assert.ok(shown.endsWith('…'), `case ${i}: the cut is marked`);
        assert.ok(shown.length >= max - 2, `case ${i}: cut close to the limit (${shown.length} of ${max})`);
      } else assert.equal(cut, full, `case ${i}: a text that fits is unchanged`);
    }
  });

  it('closes nested tags and keeps links and code blocks whole', function () {
    const html = `<b>bold <i>italic <a href="https://example.com/?a=1&amp;b=2">link &lt;text&gt;</a> more</i></b> <pre><code class="language-js">${'x &amp; y\n'.repeat(50)}</code></pre>`;
    for (let max = 5; max < 120; max += 7) {
      const cut = fitText('HTML', html, max);
      const shown = parseHtml(cut);
      assert.ok(shown.text.length <= max, `max ${max}: ${shown.text.length}`);
    }
  });
});
