/**
 * The Docker image's steps, outside Docker: the package as `npm pack` makes it (the tarball that
 * would be published), installed with npm into a fresh Node-RED user dir (no link to this
 * working tree), the default flow as flows.json, and the real Node-RED started on it. Catches
 * what the linked `npm start` cannot: a file missing from package.json "files", a runtime
 * dependency only declared as a dev dependency, a path that only resolves inside the repo.
 *
 * The pack and install steps are test/support/packed-install.ts (the editor tests use them too).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { NodeRedProcess, ROOT } from '../support/node-red-process';
import { PKG, installPacked, type PackedUserDir } from '../support/packed-install';

describe('packed install (npm pack, npm install of the tarball, real Node-RED)', function () {
  this.timeout(180_000);
  let packed: PackedUserDir | undefined;
  let userDir: string;
  let installLog = '';
  let red: NodeRedProcess | undefined;

  before(async function () {
    packed = await installPacked({ flowFile: path.join(ROOT, 'flows', 'default-flow.json') });
    ({ userDir, installLog } = packed);
  });

  after(async function () {
    await red?.stop();
    packed?.remove();
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
    red = await NodeRedProcess.start({ userDir, settings: packed!.settings, startTimeoutMs: 60_000 });
    const { port } = red;
    const base = red.base;

    // Node-RED logs a module whose node set failed to load as "[node-red-contrib-tradebot/<set>] <error>".
    assert.doesNotMatch(red!.log, /\[node-red-contrib-tradebot\/[^\]]*\]/, `a node set of the package failed to load:\n${red!.log}`);
    const nodes = (await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = nodes.filter((n) => n.module === PKG.name);
    const loaded = new Set(ours.flatMap((n) => n.types));
    const missing = Object.keys(PKG['node-red'].nodes).filter((t) => !loaded.has(t));
    assert.deepEqual(missing, [], `node types declared in package.json but not listed by GET /nodes: ${missing.join(', ')}\n${red!.log}`);
    const failed = ours.filter((n) => !n.enabled || n.err);
    assert.deepEqual(failed, [], `node sets that failed to load: ${JSON.stringify(failed)}`);
    // Loaded from the installed copy in the user dir, not from this working tree.
    const info = (await (await fetch(`${base}/nodes/${PKG.name}`, { headers: { Accept: 'application/json' } })).json()) as { path?: string; version?: string };
    assert.equal(info.version, PKG.version);
    assert.ok(info.path && fs.realpathSync(info.path).startsWith(fs.realpathSync(userDir) + path.sep), `Node-RED loaded the package from ${info.path}, not from the installed copy in ${userDir}`);

    const seen = new Map<string, any>();
    const statuses = new Map<string, string>();
    const flowNodes = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'default-flow.json'), 'utf8')) as Array<{ id: string; type: string; name?: string }>;
    const tickerDebug = flowNodes.find((n) => n.type === 'debug' && /tickers/.test(n.name ?? ''))!;
    const tickerShown = () => /^(BTC|ETH)\/USDT \d+(\.\d+)?$/.test(statuses.get(tickerDebug.id) ?? '');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    // Node statuses too: the default flow shows the last ticker price as its tickers debug node's status.
    ws.send(JSON.stringify({ subscribe: 'status/#' }));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`debug sidebar got only [${[...seen.keys()]}], the tickers status "${statuses.get(tickerDebug.id) ?? ''}" within 30 s\n${red!.log}`)), 30_000);
        ws.on('message', (data) => {
          for (const event of JSON.parse(String(data)) as Array<{ topic: string; data: any }>) {
            if (event.topic.startsWith('status/')) statuses.set(event.topic.slice('status/'.length), String(event.data?.text ?? ''));
            if (seen.has('candles') && tickerShown()) {
              clearTimeout(timer);
              resolve();
            }
            if (event.topic !== 'debug') continue;
            seen.set(event.data.name, event.data);
            // The default flow shows candles in the sidebar (tickers as a status, to leave room for the orders).
            if (seen.has('candles') && tickerShown()) {
              clearTimeout(timer);
              resolve();
            }
          }
        });
      });
    } finally {
      ws.close();
    }
    assert.match(statuses.get(tickerDebug.id) ?? '', /^(BTC|ETH)\/USDT \d+(\.\d+)?$/, 'the last ticker price under the tickers debug node');
    const candleMsg = JSON.parse(seen.get('candles').msg);
    assert.equal(candleMsg.payload.kind, 'candle');
    assert.ok(!seen.has('errors'), `the default flow reported an error: ${seen.get('errors')?.msg}`);
    // The exchange node's performance page, from the files the tarball holds (template, tables, stylesheet, scripts).
    const exchange = (JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'default-flow.json'), 'utf8')) as Array<{ id: string; type: string }>).find((n) => n.type === 'tradebot-exchange')!;
    const page = await fetch(`${base}/tradebot/performance/${exchange.id}`);
    assert.equal(page.status, 200, await page.clone().text());
    const html = await page.text();
    assert.match(html, /<table class="metrics" id="metrics">/);
    for (const src of [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!)) assert.equal((await fetch(`${base}/tradebot/performance/${src}`)).status, 200, src);
    assert.doesNotMatch(red!.log, /\[error\]/, `Node-RED logged an error:\n${red!.log}`);
  });
});
