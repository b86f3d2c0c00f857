// The editor's help for each node type, written once in docs/nodes/<type>.md (Markdown, read on
// GitHub and in the package's docs/ folder) and rendered by Node-RED's help sidebar from a
// <script type="text/markdown" data-help-name="<type>"> block that the build adds to the node's
// .html (scripts/copy-assets.js). The page differs from the sidebar in two ways only:
//  - its first line, "# <name> (`<type>`)", is the page's title; the sidebar shows the node's own
//    name above the help, so the title is left out there;
//  - a link to another page of docs/ cannot be followed from the editor (its URL would be relative
//    to the editor's address), so it becomes its text followed by the file's place in the package,
//    "Indicators (docs/indicators.md)"; a link to another node's page becomes its text alone (that
//    node's help is one click away in the palette), a link to a heading of the same page its text.
//    Links with a scheme (https:, mailto:) stay links;
//  - Node-RED's Markdown reads ": name (type) : text" at the end of a line as a property of a
//    message (its "description" extension, made for help written as such lists). Ordinary prose
//    can look like that ("Stops: on a buy, the stop-loss (percent) ...: ..."), and the sidebar
//    would then drop the colons and parentheses and set the words as a property. Such a colon goes
//    to the editor as the character reference "&#58;", which Markdown shows as ":" (a backslash
//    escape would do too, but Node-RED's Markdown then no longer ends a bold text just before it).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DOCS = path.join(ROOT, 'docs', 'nodes');

/** The node types of the package, from package.json's "node-red"."nodes", with their .html source. */
function nodeTypes() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return Object.entries(pkg['node-red'].nodes).map(([type, js]) => {
    // dist/nodes/<dir>/<name>.js is built from nodes/<dir>/<name>.ts; its form is nodes/<dir>/<name>.html.
    const rel = path.relative('dist', js).replace(/\.js$/, '.html');
    return { type, html: rel };
  });
}

/** The path of a node type's help page. */
function helpPage(type) {
  return path.join(DOCS, `${type}.md`);
}

/** Node-RED's "description" token (editor-client, red.js, RED.utils' Markdown set-up), as it matches from a colon on. */
const DESCRIPTION = /^:([^:\n]+)\(([^:\n]+)\).*?:([^:\n]*)(?:\n|$)/;

/**
 * The text with a character reference for each colon Node-RED would take for the start of a
 * property (see above). Guarding a colon can expose one before it (the token runs to the next
 * colon), so this repeats until no colon is left to guard.
 */
function guardColons(text) {
  for (;;) {
    // Colons in code spans and link targets are never read as one: the span or the link is read first.
    const kept = [];
    for (const m of text.matchAll(/`(?:[^`\n]|\n(?!\n))*`|\]\([^)]*\)/g)) kept.push([m.index, m.index + m[0].length]);
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      const guard = c === ':' && text[i - 1] !== '\\' && !kept.some(([a, b]) => i >= a && i < b) && DESCRIPTION.test(text.slice(i));
      out += guard ? '&#58;' : c;
    }
    if (out === text) return text;
    text = out;
  }
}

/** A link as the editor shows it (see the rules above). */
function editorLink(whole, text, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return whole;
  if (target.startsWith('#')) return text;
  const file = target.split('#')[0];
  if (/^tradebot-[a-z-]+\.md$/.test(file)) return text;
  return `${text} (${path.posix.normalize(path.posix.join('docs/nodes', file))})`;
}

/** A help page as the editor shows it (see the rules above). */
function helpForEditor(markdown) {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  if (/^# /.test(lines[0] ?? '')) lines.shift();
  // Fenced code is shown as it is; the rest is rewritten a stretch between two fences at a time.
  const chunks = [];
  let prose = [];
  let inFence = false;
  const flush = () => {
    if (prose.length) chunks.push(guardColons(prose.join('\n')).replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, editorLink));
    prose = [];
  };
  for (const line of lines) {
    const fence = /^\s*```/.test(line);
    if (fence && !inFence) flush();
    if (fence || inFence) chunks.push(line);
    else prose.push(line);
    if (fence) inFence = !inFence;
  }
  flush();
  return chunks.join('\n').trim() + '\n';
}

/**
 * The <script> block the editor reads a node's help from. Refuses a page that would end the block
 * early: a "</script" in it would cut the help and spill the rest into the editor as HTML.
 */
function helpBlock(type, markdown) {
  const text = helpForEditor(markdown);
  if (/<\/script/i.test(text)) throw new Error(`docs/nodes/${type}.md: contains "</script", which would end the help block early; write it as \`&lt;/script\``);
  return `<script type="text/markdown" data-help-name="${type}">\n${text}</script>\n`;
}

module.exports = { ROOT, DOCS, nodeTypes, helpPage, helpForEditor, helpBlock, guardColons };
