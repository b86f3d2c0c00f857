/**
 * `npm start` writes a trade journal with no setting: scripts/start.js in a fresh user dir (the
 * default flow, flows/default-flow.json, on the simulated market), run a while, then the journal
 * is read where it is documented to be, beside the state file: `<userDir>/tradebot-journal.sqlite`.
 * Health says the journal is writing there. Every exchange node of the flow whose account trades
 * (a risk gate or place-order node uses it) has its equity in the journal, with its fills.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { freePort } from '../support/free-port';

const ROOT = path.join(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JOURNAL_TABLES = ['journal_equity', 'journal_events', 'journal_fills', 'journal_lots', 'journal_orders', 'journal_trades'];

describe('npm start writes a trade journal with no setting (e2e)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let userDir: string;
  let log = '';

  before(() => (userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-start-journal-'))));
  after(async function () {
    if (child && child.exitCode === null && child.signalCode === null) {
      // start.js passes SIGTERM on to Node-RED (a SIGKILL would leave Node-RED running).
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('the default flow on the simulated market: tradebot-journal.sqlite in the user dir, health shows the journal ok', async function () {
    const port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], {
      // No journal or state file setting: the defaults.
      env: { ...process.env, PORT: String(port), TRADEBOT_USER_DIR: userDir, LOG_LEVEL: 'info', TRADEBOT_JOURNAL_FILE: '', TRADEBOT_STATE_FILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (!/Started flows/.test(log)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Node-RED did not start:\n${log}`);
      await sleep(200);
    }

    const flow = JSON.parse(fs.readFileSync(path.join(ROOT, 'flows', 'default-flow.json'), 'utf8')) as Array<{ id: string; type: string; exchange?: string; mode?: string }>;
    const exchanges = flow.filter((n) => n.type === 'tradebot-exchange');
    assert.ok(exchanges.length > 0, 'the default flow has an exchange node');
    // Accounts the flow trades in: exchange nodes a risk gate or place-order node uses.
    const trading = exchanges.filter((e) => flow.some((n) => /^tradebot-(risk-gate|place-order)$/.test(n.type) && n.exchange === e.id));

    // Runs a while: market data flows (and a trading flow has traded and taken an equity snapshot).
    const file = path.join(userDir, 'tradebot-journal.sqlite');
    let health: any;
    const until = Date.now() + 20_000;
    for (;;) {
      health = await (await fetch(`${base}/tradebot/health`, { headers: { Accept: 'application/json' } })).json();
      const ready = health.exchanges.length === exchanges.length && health.exchanges.every((e: any) => e.connected && e.journal?.state === 'ok' && (e.journal.lastWriteAt !== undefined || !trading.some((t) => t.id === e.id)));
      if (ready || Date.now() > until) break;
      await sleep(500);
    }
    for (const e of exchanges) {
      const h = health.exchanges.find((x: any) => x.id === e.id);
      assert.ok(h, `health reports the exchange node ${e.id}`);
      assert.deepEqual({ backend: h.journal?.backend, state: h.journal?.state, location: h.journal?.location }, { backend: 'sqlite', state: 'ok', location: file }, `health of ${e.id}: ${JSON.stringify(h)}`);
    }
    assert.ok(fs.existsSync(file), `${file} exists`);
    assert.ok(log.includes(`trade journal in ${file}`), 'the exchange node logs where the journal is');
    assert.ok(fs.existsSync(path.join(userDir, 'tradebot.sqlite')) || trading.length === 0, 'the state file is beside it');

    // Stopped cleanly, the journal has written what it held.
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'journal_%' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
      assert.deepEqual(tables, JOURNAL_TABLES, 'the journal tables');
      for (const e of trading) {
        const account = `${e.id}:${e.mode}`;
        const equity = Number((db.prepare('SELECT count(*) AS n FROM journal_equity WHERE account = ?').get(account) as { n: number }).n);
        assert.ok(equity >= 1, `equity snapshots of ${account}: ${equity}`);
        const fills = Number((db.prepare('SELECT count(*) AS n FROM journal_fills WHERE account = ?').get(account) as { n: number }).n);
        const orders = Number((db.prepare("SELECT count(*) AS n FROM journal_orders WHERE account = ? AND filled > 0").get(account) as { n: number }).n);
        assert.ok(fills >= orders, `${account}: ${fills} fills for ${orders} filled orders`);
      }
    } finally {
      db.close();
    }
    assert.doesNotMatch(log, /\[error\]/);
    assert.doesNotMatch(log, /journal: /, 'no journal trouble logged');
  });
});
