/**
 * The notes of the examples (the `info` of their comment nodes) read as prose in the editor's
 * info sidebar. Node-RED's Markdown has a "description" extension (editor-client red.js) that
 * reads `: words (type) … : text` up to the end of a line as a message property. Its start hint
 * never matches, so Marked tries it only where another token has just ended: at a line's start,
 * or right after bold, italics or a code span ("**risk gate**: sizes … (3 x ATR) … rules: one …").
 * A note must not give it that chance (docs/development.md, "The editor's help").
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
/** The extension's token, as red.js writes it. */
const DESCRIPTION = /^:([^:\n]+)\(([^:\n]+)\).*?:([^:\n]*)(?:\n|$)/;

/** The text from each colon the sidebar would turn into a property list. */
function propertyLookalikes(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== ':' || !(i === 0 || '*`_\n'.includes(text[i - 1]!))) continue;
    const m = DESCRIPTION.exec(text.slice(i));
    if (m) found.push(m[0].slice(0, 80));
  }
  return found;
}

describe('example notes', function () {
  it('the check finds a colon after bold text that starts a property-like line', function () {
    assert.equal(propertyLookalikes('4. **risk gate**: sizes each buy (3 x ATR below) and checks the rules: one at a time').length, 1);
    assert.deepEqual(propertyLookalikes('4. **risk gate** sizes each buy (3 x ATR below) and checks its rules: one at a time'), []);
  });

  for (const dir of ['examples', 'examples-dashboard']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.json'))) {
      it(`${dir}/${file}: no note reads as a message property list`, function () {
        const flow = JSON.parse(fs.readFileSync(path.join(ROOT, dir, file), 'utf8')) as Array<{ type: string; name?: string; info?: string }>;
        for (const node of flow.filter((n) => n.type === 'comment' && n.info)) assert.deepEqual(propertyLookalikes(node.info!), [], node.name);
      });
    }
  }
});
