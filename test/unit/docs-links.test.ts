/**
 * The user's guide is the README and docs/ (issue 17: the README links to pages in docs/, and the
 * nodes' help pages link to each other and to docs/). A link a reader follows must arrive: every
 * relative link in README.md, ARCHITECTURE.md and docs/ names a file of the repository and, when
 * it names a heading of a Markdown file (`page.md#heading`), that heading exists, by the anchor
 * GitHub makes of it (lower case, punctuation dropped, spaces as hyphens, repeats numbered).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

/** Text outside fenced code blocks (a link inside one is an example, not a link). */
function prose(markdown: string): string {
  return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
}

/** The anchors GitHub gives a file's headings. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(fs.readFileSync(file, 'utf8')).matchAll(/^#{1,6} +(.+)$/gm)) {
    const base = m[1]!
      .trim()
      .toLowerCase()
      .replace(/[`*_]/g, '')
      .replace(/[^\p{L}\p{N}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base);
    seen.set(base, (n ?? -1) + 1);
    out.add(n === undefined ? base : `${base}-${n + 1}`);
  }
  return out;
}

describe('documentation links', function () {
  const files = [path.join(ROOT, 'README.md'), path.join(ROOT, 'ARCHITECTURE.md'), ...markdownFiles(path.join(ROOT, 'docs'))];

  it('finds the README, ARCHITECTURE.md and the pages of docs/ and docs/nodes/', function () {
    assert.ok(files.length > 30, `only ${files.length} Markdown files`);
    assert.ok(files.some((f) => f.endsWith(path.join('docs', 'nodes', 'tradebot-exchange.md'))));
  });

  it('every relative link arrives at a file, and at a heading where it names one', function () {
    const broken: string[] = [];
    let links = 0;
    for (const file of files) {
      for (const m of prose(fs.readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        links++;
        const [name, anchor] = target.split('#') as [string, string | undefined];
        const to = name ? path.resolve(path.dirname(file), decodeURIComponent(name)) : file;
        const where = `${path.relative(ROOT, file)}: ${target}`;
        if (!fs.existsSync(to)) broken.push(`${where} (no such file)`);
        else if (anchor && to.endsWith('.md') && !anchors(to).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
    assert.ok(links > 100, `only ${links} relative links found`);
    assert.deepEqual(broken, []);
  });

  it('the README reads in ten minutes: under 350 lines, and it links every node’s page', function () {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.split('\n').length < 350, `README.md has ${readme.split('\n').length} lines`);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
    const unlinked = Object.keys(pkg['node-red'].nodes).filter((t) => !readme.includes(`](docs/nodes/${t}.md)`));
    assert.deepEqual(unlinked, []);
  });
});
