#!/usr/bin/env node
// `npm start` / `npm test` on any machine: the package needs Node >= 22.13 (node:sqlite holds the
// trading state). When the Node running npm is older (Debian 12 ships 18, many machines still have
// 20), npm's `node@22` package is installed once into .cache/node22 (git-ignored) and the npm
// script runs with that Node first on PATH; on Node >= 22.13 it runs as it is.
//   node scripts/with-node22.js <npm script> [args...]  ->  npm run <script> -- [args...]
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/with-node22.js <npm script> [args...]');
  process.exit(2);
}

function recentEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13);
}

const env = { ...process.env };
if (!recentEnough(process.versions.node)) {
  const prefix = path.join(root, '.cache', 'node22');
  const bin = path.join(prefix, 'node_modules', 'node', 'bin');
  const node = path.join(bin, process.platform === 'win32' ? 'node.exe' : 'node');
  const have = fs.existsSync(node) && spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout;
  if (!have || !recentEnough(have.trim())) {
    console.log(`[tradebot] Node ${process.versions.node} is older than 22.13: installing npm's node@22 into .cache/node22 (once)`);
    fs.mkdirSync(prefix, { recursive: true });
    const installed = spawnSync('npm', ['i', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', 'node@22'], { stdio: 'inherit', shell: process.platform === 'win32' });
    if (installed.status !== 0) {
      console.error('[tradebot] could not install Node 22: install Node 22.13 or newer yourself (https://nodejs.org) and run this again');
      process.exit(installed.status ?? 1);
    }
  }
  env.PATH = `${bin}${path.delimiter}${env.PATH ?? ''}`;
  console.log(`[tradebot] running "npm run ${script}" on Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()} from .cache/node22`);
}

const run = spawnSync('npm', ['run', script, ...(args.length ? ['--', ...args] : [])], { stdio: 'inherit', env, cwd: root, shell: process.platform === 'win32' });
process.exit(run.status ?? (run.signal ? 1 : 0));
