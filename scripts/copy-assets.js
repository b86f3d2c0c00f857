// Copies the editor files (.html, icons) that tsc does not emit next to the compiled node .js files,
// and adds to each node's .html its help, written once in docs/nodes/<type>.md (scripts/node-help.js).
const fs = require('fs');
const path = require('path');
const { nodeTypes, helpPage, helpBlock } = require('./node-help');

const root = path.join(__dirname, '..');
const from = path.join(root, 'nodes');
const to = path.join(root, 'dist', 'nodes');

function copyTree(src, dst) {
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, entry.name);
    const d = path.join(dst, entry.name);
    if (entry.isDirectory()) copyTree(s, d);
    else if (!entry.name.endsWith('.ts')) {
      fs.mkdirSync(dst, { recursive: true });
      fs.copyFileSync(s, d);
    }
  }
}

/** The problems that keep a node's help from being the one in docs/nodes; empty when there are none. */
function addHelp() {
  const problems = [];
  for (const { type, html } of nodeTypes()) {
    const page = helpPage(type);
    const source = path.join(root, html);
    if (!fs.existsSync(page)) {
      problems.push(`${type}: no help page: write docs/nodes/${type}.md (the editor's help for this node comes from it)`);
      continue;
    }
    const form = fs.readFileSync(source, 'utf8');
    // Help written in the .html too would be a second copy, and the editor would show only one of them.
    if (/data-help-name=/.test(form)) {
      problems.push(`${type}: ${html} has a help block of its own; the help belongs in docs/nodes/${type}.md only`);
      continue;
    }
    try {
      const out = path.join(to, path.relative('nodes', html));
      fs.writeFileSync(out, form.replace(/\s*$/, '\n') + helpBlock(type, fs.readFileSync(page, 'utf8')));
    } catch (err) {
      problems.push(`${type}: ${err.message}`);
    }
  }
  return problems;
}

copyTree(from, to);
const problems = addHelp();
if (problems.length) {
  console.error(`copy-assets: the editor's help is incomplete:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
