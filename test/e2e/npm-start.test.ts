/**
 * What a newcomer sees after `npm start`: the real Node-RED process, this package linked into a
 * fresh user dir, the default flow deployed, and market data arriving in the debug sidebar.
 * The sidebar is read the way the editor reads it: Node-RED's /comms websocket, topic "debug".
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { freePort } from '../support/free-port';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('npm start (the default flow on the simulated market)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let userDir: string;
  let log = '';

  before(function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-start-'));
  });

  after(async function () {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('starts Node-RED with the tradebot nodes and shows tickers and candles in the debug sidebar within seconds', async function () {
    const port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], {
      env: { ...process.env, PORT: String(port), TRADEBOT_USER_DIR: userDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${base}/flows`).catch(() => undefined);
      if (res?.ok) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Node-RED did not come up:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const nodes = (await (await fetch(`${base}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; types: string[]; enabled: boolean; err?: string }>;
    const ours = nodes.filter((n) => n.module === 'node-red-contrib-tradebot');
    const types = ours.flatMap((n) => n.types).sort();
    const declared = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))['node-red'].nodes).sort();
    assert.deepEqual(types, declared, 'every node type in package.json is loaded');
    assert.ok(ours.every((n) => n.enabled && !n.err), `node sets loaded without error: ${JSON.stringify(ours)}`);

    const seen = new Map<string, any>();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`debug sidebar got only ${[...seen.keys()]} within 20 s\n${log}`)), 20_000);
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
    ws.close();
    const ticker = JSON.parse(seen.get('tickers').msg);
    assert.equal(ticker.kind, 'ticker');
    assert.equal(ticker.exchange, 'sim');
    const candleMsg = JSON.parse(seen.get('candles').msg);
    assert.equal(candleMsg.payload.kind, 'candle');
    assert.equal(candleMsg.topic, candleMsg.payload.symbol);
    assert.ok(!seen.has('errors'), `the default flow reported an error: ${seen.get('errors')?.msg}`);
    assert.doesNotMatch(log, /\[error\]/);
  });
});
