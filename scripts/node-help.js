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
//    Links with a scheme (https:, mailto:) stay links.
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

/** A help page as the editor shows it (see the rules above). */
function helpForEditor(markdown) {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  if (/^# /.test(lines[0] ?? '')) lines.shift();
  let inFence = false;
  const out = lines.map((line) => {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) return line;
    return line.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, text, target) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return whole;
      if (target.startsWith('#')) return text;
      const file = target.split('#')[0];
      if (/^tradebot-[a-z-]+\.md$/.test(file)) return text;
      const inPackage = path.posix.normalize(path.posix.join('docs/nodes', file));
      return `${text} (${inPackage})`;
    });
  });
  return out.join('\n').trim() + '\n';
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

module.exports = { ROOT, DOCS, nodeTypes, helpPage, helpForEditor, helpBlock };
