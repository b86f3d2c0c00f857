/**
 * The nodes' .html files hold their forms only (the editor code is in editor/, help in docs/nodes):
 * no block of six or more lines appears in two of them. What several dialogs share belongs in one
 * place (editor/shared/, nodes/shared/spec-fields.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const BLOCK = 6;

function htmlFiles(): string[] {
  const nodes = path.join(ROOT, 'nodes');
  return fs
    .readdirSync(nodes)
    .flatMap((d) => (fs.statSync(path.join(nodes, d)).isDirectory() ? fs.readdirSync(path.join(nodes, d)).filter((f) => f.endsWith('.html')).map((f) => path.join(nodes, d, f)) : []));
}

describe('the nodes’ .html files', function () {
  it(`share no block of ${BLOCK} or more lines`, function () {
    const where = new Map<string, Set<string>>();
    for (const file of htmlFiles()) {
      // Blank lines and indentation do not make a block different. Help text (data-help-name, on its
      // way to docs/nodes/*.md) is prose, not code: a sentence two nodes share is not counted.
      const html = fs.readFileSync(file, 'utf8').replace(/<script type="text\/html" data-help-name="[^"]+">[\s\S]*?<\/script>/g, '');
      const lines = html.split('\n').map((l) => l.trim()).filter(Boolean);
      for (let i = 0; i + BLOCK <= lines.length; i++) {
        const block = lines.slice(i, i + BLOCK).join('\n');
        if (!where.has(block)) where.set(block, new Set());
        where.get(block)!.add(path.basename(file));
      }
    }
    const repeated = [...where].filter(([, files]) => files.size > 1).map(([block, files]) => `${[...files].join(', ')}:\n${block}`);
    assert.deepEqual(repeated.slice(0, 5), [], `${repeated.length} blocks repeat`);
  });

  it('hold no editor code: one script tag loads the bundle, one registers the type', function () {
    for (const file of htmlFiles()) {
      const html = fs.readFileSync(file, 'utf8');
      const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]!.trim());
      assert.deepEqual(scripts, [`tradebotEditor.register('${path.basename(file, '.html')}');`], path.basename(file));
    }
  });
});
