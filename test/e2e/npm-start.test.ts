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
  this.timeout(120_000);
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

  it('starts Node-RED with the tradebot nodes: candles and the EMA cross\'s orders in the debug sidebar, market data well under 100 messages a minute, tickers as a status', async function () {
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

    // What the debug sidebar receives (every message a debug node sends to the editor) and what the
    // nodes show under them (statuses), for 40 s from the first message on.
    // The EMA 9/21 cross on 1-minute candles at 60x: a cross within a minute and a half, with room for a loaded machine.
    const WINDOW_MS = 90_000;
    const seen = new Map<string, any>();
    const counts = new Map<string, number>();
    const status = new Map<string, string>();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ subscribe: 'debug' }));
    ws.send(JSON.stringify({ subscribe: 'status/#' }));
    let first = 0;
    ws.on('message', (data) => {
      for (const event of JSON.parse(String(data)) as Array<{ topic: string; data: any }>) {
        if (event.topic.startsWith('status/')) status.set(event.topic.slice('status/'.length), String(event.data?.text ?? ''));
        if (event.topic !== 'debug') continue;
        first ||= Date.now();
        if (Date.now() - first > WINDOW_MS) continue;
        if (!seen.has(event.data.name)) seen.set(event.data.name, event.data);
        counts.set(event.data.name, (counts.get(event.data.name) ?? 0) + 1);
      }
    });
    const deadline2 = Date.now() + WINDOW_MS + 15_000;
    while (!(first && Date.now() - first > WINDOW_MS) && Date.now() < deadline2) await new Promise((r) => setTimeout(r, 250));
    ws.close();
    const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'default-flow.json'), 'utf8')) as Array<Record<string, any>>;
    // Every debug node of the flow but those of the trading pipeline and the catch node shows market data.
    const marketDebug = new Set(flow.filter((n) => n.type === 'debug' && !['orders', 'rejections', 'errors'].includes(n.name)).map((n) => n.name as string));
    assert.ok(marketDebug.has('candles'));
    const marketPerMinute = ([...counts].filter(([name]) => marketDebug.has(name)).reduce((a, [, c]) => a + c, 0) * 60_000) / WINDOW_MS;
    // Node-RED's sidebar keeps the last 100 messages: market data must leave room for the orders.
    assert.ok(marketPerMinute < 60, `market data fills the debug sidebar: ${marketPerMinute} messages a minute (${JSON.stringify([...counts])})`);
    assert.ok(seen.has('candles'), `candles in the debug sidebar: ${JSON.stringify([...counts])}\n${log}`);
    const candleMsg = JSON.parse(seen.get('candles').msg);
    assert.equal(candleMsg.payload.kind, 'candle');
    assert.equal(candleMsg.topic, candleMsg.payload.symbol);
    // Tickers are shown under their debug node (its status), not in the sidebar.
    const tickerDebug = flow.find((n) => n.type === 'debug' && /tickers/.test(n.name))!;
    assert.equal(counts.get(tickerDebug.name) ?? 0, 0, 'tickers stay out of the sidebar');
    assert.match(status.get(tickerDebug.id) ?? '', /^(BTC|ETH)\/USDT \d+(\.\d+)?$/, 'the last ticker price under the tickers debug node');
    // The flow trades: its orders are in the sidebar within the window.
    assert.ok(seen.has('orders'), `no order in the debug sidebar within ${WINDOW_MS / 1000} s: ${JSON.stringify([...counts])}`);
    const order = JSON.parse(seen.get('orders').msg);
    assert.equal(order.kind, 'orderUpdate');
    assert.equal(order.symbol, 'BTC/USDT');
    assert.ok(!seen.has('errors'), `the default flow reported an error: ${seen.get('errors')?.msg}`);
    assert.doesNotMatch(log, /\[error\]/);
  });
});
