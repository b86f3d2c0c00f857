/**
 * The editor's help comes from docs/nodes (issue 17: help written once), in a real browser:
 * Debian's chromium driven by playwright-core against a real Node-RED process with this package
 * linked into its user dir (as `npm start` does).
 *
 * For every node type in package.json, the editor has exactly one help block, the Markdown kind,
 * and the help sidebar, opened on that type, shows the text of docs/nodes/<type>.md: every word,
 * in order, nothing else (the page's title aside, which the sidebar replaces with the node's own
 * name). Links in the help either leave for an absolute address or were turned into text naming
 * the file in the package (scripts/node-help.js), so none points at a path of the editor's server.
 *
 * The expected text is read from the page here with its own small reading of Markdown (marks,
 * list and table syntax, links), not with the build's code.
 *
 * Run alone: npm run build && npx mocha --no-config --timeout 60000 --exit dist/test/e2e/editor-help.test.js
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, requireBrowser, screenshot, watchPage } from '../support/browser';
import { NodeRedProcess, ROOT, killAllNodeRed, makeUserDir, removeUserDir } from '../support/node-red-process';

const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
const TYPES = Object.keys(PKG['node-red'].nodes);
const page_ = (type: string) => path.join(ROOT, 'docs', 'nodes', `${type}.md`);

/** A docs/nodes page as plain text: what a reader sees of it, without its title, all whitespace removed. */
function pageText(markdown: string): string {
  const lines = markdown.split('\n');
  if (lines[0]?.startsWith('# ')) lines.shift();
  const text = lines
    .filter((l) => !/^\s*```/.test(l) && !/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(l))
    .map((l) =>
      l
        .replace(/^\s*#{1,6}\s+/, '')
        .replace(/^\s*(?:[-*]|\d+\.)\s+/, '')
        .replace(/^\s*>\s?/, '')
        // A table row's cells: the pipes between them are not text, an escaped one is.
        .replace(/^\s*\|.*$/, (row) => row.replace(/(^|[^\\])\|/g, '$1 ')),
    )
    .join('\n');
  const codes: string[] = [];
  return text
    // A link: its text; one to another page of docs/ also names the file (none to a node page or a heading).
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_all, label: string, target: string) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || /^tradebot-[a-z-]+\.md(#|$)/.test(target)) return label;
      return `${label} (${path.posix.normalize(path.posix.join('docs/nodes', target.split('#')[0]!))})`;
    })
    .replace(/`([^`]*)`/g, (_all, code: string) => `\u0000${codes.push(code) - 1}\u0000`)
    .replace(/\*\*/g, '')
    .replace(/(^|[^\w*])\*([^*\s][^*]*?)\*(?=[^\w*]|$)/gm, '$1$2')
    .replace(/\\([|*_`\\:])/g, '$1')
    // Character references outside code are characters; inside code they are shown as written.
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\u0000(\d+)\u0000/g, (_all, i: string) => codes[Number(i)]!)
    .replace(/\s+/g, '');
}

/** Where two texts part, with some context, for the assertion message. */
function firstDifference(shown: string, expected: string): string {
  let i = 0;
  while (i < shown.length && shown[i] === expected[i]) i++;
  return `at ${i}: sidebar "…${shown.slice(Math.max(0, i - 60), i + 60)}…" vs page "…${expected.slice(Math.max(0, i - 60), i + 60)}…"`;
}

describe('editor help: every node type’s help comes from docs/nodes (real browser)', function () {
  this.timeout(120_000);
  let userDir: string | undefined;
  let red: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let watched: { errors: string[]; outside: string[] };

  before(async function () {
    this.timeout(120_000);
    requireBrowser(this);
    userDir = makeUserDir('tradebot-help-');
    red = await NodeRedProcess.start({ userDir, flow: [], startTimeoutMs: 60_000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    watched = watchPage(page, red.base);
    await page.goto(`${red.base}/`);
    // Every type registered: its .html, help block included, is in the page.
    await page.waitForFunction((types) => types.every((t) => (globalThis as any).RED?.nodes?.getType(t)), TYPES, { timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await screenshot(page, `editor-help FAILED ${this.currentTest.title.replace(/[^\w -]+/g, ' ').slice(0, 80)}`).catch(() => undefined);
    }
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await red?.stop();
    await killAllNodeRed();
    removeUserDir(userDir);
  });

  it('every node type has a page in docs/nodes', function () {
    assert.deepEqual(TYPES.filter((t) => !fs.existsSync(page_(t))), []);
    assert.equal(TYPES.length, 19);
  });

  it('every node type has one help block in the editor, the Markdown one', async function () {
    const blocks = await page.evaluate((types) => {
      const out: Record<string, string[]> = {};
      for (const t of types) out[t] = Array.from(document.querySelectorAll(`script[data-help-name="${t}"]`)).map((s) => s.getAttribute('type') ?? '');
      return out;
    }, TYPES);
    for (const t of TYPES) assert.deepEqual(blocks[t], ['text/markdown'], `${t}: help blocks in the editor`);
  });

  it('the help sidebar shows each node type’s docs/nodes page, word for word', async function () {
    const wrong: string[] = [];
    for (const type of TYPES) {
      const label = await page.evaluate((t) => {
        const d = (globalThis as any).RED.nodes.getType(t);
        return (typeof d.paletteLabel === 'function' ? d.paletteLabel.call(d) : d.paletteLabel) ?? t;
      }, type);
      await page.evaluate((t) => (globalThis as any).RED.sidebar.help.show(t), type);
      await page
        .waitForFunction((l) => document.querySelector('.red-ui-sidebar-help-stack .red-ui-help-title')?.textContent === l, label, { timeout: 5_000 })
        .catch(() => undefined);
      const shown = await page.evaluate(() => {
        const body = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help .red-ui-help') as HTMLElement | null;
        const title = document.querySelector('.red-ui-sidebar-help-stack .red-ui-help-title')?.textContent ?? '';
        const hrefs = Array.from(body?.querySelectorAll("a[href]") ?? []).map((a) => a.getAttribute('href') ?? '');
        return { title, text: body?.textContent ?? '', hrefs };
      });
      if (shown.title !== label) wrong.push(`${type}: title "${shown.title}", not its palette name "${label}"`);
      const expected = pageText(fs.readFileSync(page_(type), 'utf8'));
      const text = shown.text.replace(/\s+/g, '');
      if (expected.length < 300) wrong.push(`${type}: docs/nodes/${type}.md holds only ${expected.length} characters of text`);
      if (text !== expected) wrong.push(`${type}: ${firstDifference(text, expected)}`);
      // The sidebar's folding headers are href="#"; every other link leaves for an absolute address.
      const relative = shown.hrefs.filter((h) => h !== '#' && !/^[a-z][a-z0-9+.-]*:/i.test(h));
      if (relative.length) wrong.push(`${type}: links relative to the editor: ${relative.join(', ')}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('a page named in the help as docs/<file> ships in the package', async function () {
    const named = new Set<string>();
    for (const type of TYPES) {
      const help = await page.evaluate((t) => (globalThis as any).RED.nodes.getNodeHelp(t) as string, type);
      for (const m of help.matchAll(/\((docs\/[\w./-]+\.md)\)/g)) named.add(m[1]!);
    }
    assert.ok(named.size > 0, 'no help names another page of docs/');
    assert.deepEqual([...named].filter((f) => !fs.existsSync(path.join(ROOT, f))), []);
  });

  it('the editor logged no page error', function () {
    const catalogue = (u: string) => /^https:\/\/catalogue\.nodered\.org\//.test(u);
    const errors = watched.errors.filter((e) => !(watched.outside.some(catalogue) && /ERR_NAME_NOT_RESOLVED/.test(e)));
    assert.deepEqual(errors, [], 'page errors');
  });
});
