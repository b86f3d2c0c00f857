#!/usr/bin/env node
// `npm start`: Node-RED on http://127.0.0.1:1880 with a project-local user dir (.node-red/),
// this package linked into it from the working tree, and the default flow from flows/ deployed.
// `npm start -- --reset-flow` puts the default flow back after you changed it in the editor.
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const root = path.join(__dirname, '..');
const userDir = path.resolve(process.env.TRADEBOT_USER_DIR || path.join(root, '.node-red'));
const link = path.join(userDir, 'node_modules', 'node-red-contrib-tradebot');

fs.mkdirSync(path.dirname(link), { recursive: true });
// Node-RED finds nodes in <userDir>/node_modules; a link makes it load this working tree as installed.
let linked = false;
try {
  linked = fs.realpathSync(link) === fs.realpathSync(root);
} catch {
  /* no link yet */
}
if (!linked) {
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(root, link, 'dir');
}
const userPackage = path.join(userDir, 'package.json');
if (!fs.existsSync(userPackage)) {
  fs.writeFileSync(userPackage, JSON.stringify({ name: 'tradebot-user-dir', private: true, description: 'Node-RED user dir made by npm start' }, null, 2));
}
// Listed as a dependency, as the palette manager lists what it installs: a function node loads
// node-red-contrib-tradebot/signal (Setup > Modules) only from a package the user dir names; else
// Node-RED would try to install it from the npm registry.
const pkg = JSON.parse(fs.readFileSync(userPackage, 'utf8'));
if (!pkg.dependencies || !pkg.dependencies['node-red-contrib-tradebot']) {
  pkg.dependencies = { ...pkg.dependencies, 'node-red-contrib-tradebot': `file:${root}` };
  fs.writeFileSync(userPackage, JSON.stringify(pkg, null, 2));
}
const flowFile = path.join(userDir, 'flows.json');
if (!fs.existsSync(flowFile) || process.argv.includes('--reset-flow')) {
  fs.copyFileSync(path.join(root, 'flows', 'default-flow.json'), flowFile);
  console.log(`[tradebot] default flow copied to ${flowFile}`);
}

const red = require.resolve('node-red/red.js');
const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', path.join(__dirname, 'node-red-settings.js')], {
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
