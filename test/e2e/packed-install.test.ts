/**
 * The Docker image's steps, outside Docker: the package as `npm pack` makes it (the tarball that
 * would be published), installed with npm into a fresh Node-RED user dir (no link to this
 * working tree), the default flow as flows.json, and the real Node-RED started on it. Catches
 * what the linked `npm start` cannot: a file missing from package.json "files", a runtime
 * dependency only declared as a dev dependency, a path that only resolves inside the repo.
 *
 * npm install runs with --offline (the packages come from npm's cache, which `npm ci` filled);
 * when the cache lacks something it is retried online. --ignore-scripts as in the Dockerfile.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { freePort } from '../support/free-port';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('packed install (npm pack, npm install of the tarball, real Node-RED)', function () {
  this.timeout(180_000);
  let tmp: string;
  let userDir: string;
  let child: ChildProcess | undefined;
  let log = '';
  let port: number;
  let installLog = '';

  before(async function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-pack-'));
    userDir = path.join(tmp, 'user');
    fs.mkdirSync(userDir);
    // `npm test` has built dist/ already; pack exactly what would be published.
    const packed = await run(NPM, ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    const tarball = path.join(tmp, JSON.parse(packed.stdout)[0].filename as string);
    assert.ok(fs.existsSync(tarball), `npm pack made no tarball at ${tarball}`);

    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'tradebot-packed-user-dir', private: true }, null, 2));
    const args = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball];
    try {
      installLog = (await run(NPM, [...args, '--offline'], { cwd: userDir, maxBuffer: 64 * 1024 * 1024 })).stderr;
    } catch (offline) {
      // Not everything in npm's cache: the same install from the registry.
      installLog = `offline install failed: ${(offline as Error).message}\n`;
      installLog += (await run(NPM, args, { cwd: userDir, maxBuffer: 64 * 1024 * 1024 })).stderr;
    }
    fs.copyFileSync(path.join(ROOT, 'flows', 'default-flow.json'), path.join(userDir, 'flows.json'));
    port = await freePort();
    fs.writeFileSync(
      path.join(userDir, 'settings.js'),
      `module.exports = ${JSON.stringify({
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: 'packed-install-test',
        diagnostics: { enabled: false },
        telemetry: { enabled: false },
        editorTheme: { tours: false },
        logging: { console: { level: 'info', metrics: false, audit: false } },
      })};\n`,
    );
  });

  after(async function () {
    if (child && child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child!.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      clearTimeout(timer);
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('installs the tarball as a real package (not a link), with its runtime dependencies', function () {
    const installed = path.join(userDir, 'node_modules', PKG.name);
    assert.ok(fs.existsSync(installed), `${PKG.name} is not in the user dir's node_modules\n${installLog}`);
    assert.equal(fs.lstatSync(installed).isSymbolicLink(), false, 'the package must be installed from the tarball, not linked');
    assert.equal(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version, PKG.version);
    for (const dep of Object.keys(PKG.dependencies ?? {})) {
      // Where Node's resolution from the installed package looks: its own node_modules, then the user dir's.
      const found = [path.join(installed, 'node_modules', dep), path.join(userDir, 'node_modules', dep)].some((d) => fs.existsSync(path.join(d, 'package.json')));
      assert.ok(found, `runtime dependency ${dep} is not installed next to the package\n${installLog}`);
    }
    for (const file of Object.values(PKG['node-red'].nodes) as string[]) {
      assert.ok(fs.existsSync(path.join(installed, file)), `${file} (package.json node-red.nodes) is missing from the tarball`);
      const html = file.replace(/\.js$/, '.html');
      assert.ok(fs.existsSync(path.join(installed, html)), `${html} (the editor part) is missing from the tarball`);
    }
  });

  it('Node-RED loads every node type and the default flow shows market data in the debug sidebar', async function () {
    child = spawn(process.execPath, [require.resolve('node-red/red.js', { paths: [ROOT] }), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
      cwd: userDir,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Node-RED exited (code ${child.exitCode}):\n${log}`);
      const up = await fetch(`${base}/flows`).then((r) => r.ok, () => false);
      if (up && /Started flows/.test(log)) break;
      if (/Waiting for missing types/.test(log)) throw new Error(`Node-RED is waiting for missing node types:\n${log}`);
      if (Date.now() > deadline) throw new Error(`Node-RED did not start within 60 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // Node-RED logs a module whose node set failed to load as "[node-red-contrib-tradebot/<set>] <error>".
    assert.doesNotMatch(log, /\[node-red-contrib-tradebot\/[^\]]*\]/, `a node set of the package failed to load:\n${log}`);
    const nodes = (await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = nodes.filter((n) => n.module === PKG.name);
    const loaded = new Set(ours.flatMap((n) => n.types));
    const missing = Object.keys(PKG['node-red'].nodes).filter((t) => !loaded.has(t));
    assert.deepEqual(missing, [], `node types declared in package.json but not listed by GET /nodes: ${missing.join(', ')}\n${log}`);
    const failed = ours.filter((n) => !n.enabled || n.err);
    assert.deepEqual(failed, [], `node sets that failed to load: ${JSON.stringify(failed)}`);
    // Loaded from the installed copy in the user dir, not from this working tree.
    const info = (await (await fetch(`${base}/nodes/${PKG.name}`, { headers: { Accept: 'application/json' } })).json()) as { path?: string; version?: string };
    assert.equal(info.version, PKG.version);
    assert.ok(info.path && fs.realpathSync(info.path).startsWith(fs.realpathSync(userDir) + path.sep), `Node-RED loaded the package from ${info.path}, not from the installed copy in ${userDir}`);

    const seen = new Map<string, any>();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`debug sidebar got only [${[...seen.keys()]}] within 30 s\n${log}`)), 30_000);
        ws.on('message', (data) => {
          for (const event of JSON.parse(String(data)) as Array<{ topic: string; data: any }>) {
            if (event.topic !== 'debug') continue;
            seen.set(event.data.name, event.data);
            if (seen.has('tickers') && seen.has('candles')) {
              clearTimeout(timer);
              resolve();
            }
          }
        });
      });
    } finally {
      ws.close();
    }
    const ticker = JSON.parse(seen.get('tickers').msg);
    assert.equal(ticker.kind, 'ticker');
    assert.equal(ticker.exchange, 'sim');
    assert.ok(Number(ticker.last) > 0, `ticker without a price: ${seen.get('tickers').msg}`);
    const candleMsg = JSON.parse(seen.get('candles').msg);
    assert.equal(candleMsg.payload.kind, 'candle');
    assert.ok(!seen.has('errors'), `the default flow reported an error: ${seen.get('errors')?.msg}`);
    assert.doesNotMatch(log, /\[error\]/, `Node-RED logged an error:\n${log}`);
  });
});
