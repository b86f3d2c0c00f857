// Copies the editor files (.html, icons) that tsc does not emit next to the compiled node .js files.
const fs = require('fs');
const path = require('path');

const from = path.join(__dirname, '..', 'nodes');
const to = path.join(__dirname, '..', 'dist', 'nodes');

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
copyTree(from, to);
