/**
 * The trade journal on a real PostgreSQL server (Debian's, started by the test): migrations
 * applied once when two instances start together, the same closed trades as the SQLite journal
 * for the same fills, a real flow on the simulated market writing its journal there, and the
 * outage: PostgreSQL stopped under a running flow, trading goes on, health and the place-order
 * node say so, and once it is back every fill is in the database exactly once. The password
 * appears in no status, log, health answer or error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { Pool } from 'pg';
import { parseDatabaseSettings } from '../../core/journal/database-settings';
import { describeJournalError } from '../../core/journal/journal';
import { JournalPool } from '../../core/journal/pg-pool';
import { PG_MIGRATIONS } from '../../core/journal/pg-schema';
import { PgJournalStore } from '../../core/journal/pg-journal-store';
import { SqliteJournalStore } from '../../core/journal/sqlite-journal-store';
import type { JournalBatch, JournalStore, OrderRow } from '../../core/journal/types';
import { Inbox, getNode, helper, loadFlow, recordStatuses, unloadFlow, waitFor, type FlowNode } from '../support/node-red';
import { PostgresServer, requirePostgres } from '../support/postgres-server';
import { fill, H, T0 } from '../support/journal-fixtures';



const order = (p: Partial<OrderRow> & Pick<OrderRow, 'clientOrderId' | 'status' | 'filled' | 'ts'>): OrderRow => ({
  orderId: null, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, average: null, price: null, fee: 0, feeCurrency: 'USDT', mode: 'sim', ...p,
});

const batch = (b: Partial<JournalBatch>): JournalBatch => ({ events: [], orders: [], fills: [], equity: [], ...b });

describe('trade journal on PostgreSQL (a real server)', function () {
  this.timeout(60_000);
  let server: PostgresServer;
  /** The test's own connection, to look at the tables as a user would with psql. */
  let admin: Pool;

  before(async function () {
    requirePostgres(this);
    server = new PostgresServer();
    await server.start();
    admin = new Pool(server.connection());
    admin.on('error', () => undefined);
  });
  after(async function () {
    await admin?.end().catch(() => undefined);
    await server?.destroy();
  });

  const settingsFor = (schema: string) => parseDatabaseSettings({ url: server.url, user: server.user, password: server.password, schema });

  it('migrations: two instances opening together apply each step once, recorded in schema_migrations', async function () {
    const infos: Array<{ applied: number; version: number }> = [];
    const a = new JournalPool(settingsFor('tb_migrate'), { onSchema: (i) => infos.push(i) });
    const b = new JournalPool(settingsFor('tb_migrate'), { onSchema: (i) => infos.push(i) });
    try {
      await Promise.all([a.store().open(), b.store().open()]);
      const rows = (await admin.query('SELECT version, name FROM tb_migrate.schema_migrations ORDER BY version')).rows;
      assert.deepEqual(rows, PG_MIGRATIONS.map((m, i) => ({ version: i + 1, name: m.name })));
      // One of the two applied the steps, the other found them applied.
      assert.deepEqual(infos.map((i) => i.applied).sort(), [0, PG_MIGRATIONS.length]);
      // The tables are there, with the SQLite journal's names.
      const tables = (await admin.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tb_migrate' ORDER BY 1")).rows.map((r) => r.table_name);
      assert.deepEqual(tables, ['journal_equity', 'journal_events', 'journal_fills', 'journal_lots', 'journal_orders', 'journal_trades', 'schema_migrations']);
      // Opening again (a restart) applies nothing.
      const again = new JournalPool(settingsFor('tb_migrate'), { onSchema: (i) => infos.push(i) });
      await again.store().open();
      await again.end(0);
      assert.equal(infos.at(-1)!.applied, 0);
      assert.equal((await admin.query('SELECT count(*)::int AS n FROM tb_migrate.schema_migrations')).rows[0].n, PG_MIGRATIONS.length);
    } finally {
      await Promise.all([a.end(0), b.end(0)]);
    }
  });

  describe('the same rows and trades as the SQLite journal', function () {
    let dir: string;
    let sqlite: SqliteJournalStore;
    let pool: JournalPool;
    let pg: PgJournalStore;

    beforeEach(async function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-journal-pg-test-'));
      sqlite = new SqliteJournalStore({ file: path.join(dir, 'tradebot-journal.sqlite') });
      await sqlite.open();
      pool = new JournalPool(settingsFor('tb_same'));
      pg = pool.store();
      await pg.open();
      await pg.clear('acc');
    });
    afterEach(async function () {
      await sqlite.close();
      await pg.close();
      await pool.end(0);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Writes the batches to both stores and returns what each reads back. */
    async function both(batches: JournalBatch[]): Promise<[unknown, unknown]> {
      const read = async (s: JournalStore) => {
        for (const b of batches) await s.write('acc', b);
        return {
          trades: await s.trades('acc'),
          count: await s.countTrades('acc'),
          lastTwo: await s.trades('acc', { limit: 2, offset: 1 }),
          windowed: await s.countTrades('acc', { from: T0 + H, to: T0 + 2 * H, symbol: 'BTC/USDT' }),
          fills: await s.fills('acc'),
          events: await s.events('acc'),
          rejections: await s.events('acc', { type: 'rejection', limit: 5 }),
          equity: await s.equity('acc'),
        };
      };
      return [await read(sqlite), await read(pg)];
    }

    it('partial exits, stops, fees: identical closed trades, fills, events and equity', async function () {
      const fills = [
        fill({ clientOrderId: 'tb-a', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1, strategy: 'sma-cross', signalId: 'sig-1' }),
        fill({ clientOrderId: 'tb-b', side: 'sell', amount: 0.4, price: 110, ts: T0 + H, heldBefore: 1, heldAfter: 0.6 }),
        fill({ clientOrderId: 'tb-a-sl', side: 'sell', amount: 0.6, price: 95, ts: T0 + 2 * H, heldBefore: 0.6, heldAfter: 0, stopClose: true, reason: 'stop-loss at 95 (price 95)' }),
        fill({ clientOrderId: 'tb-c', side: 'buy', amount: 2, price: 100, ts: T0 + 3 * H, heldBefore: 0, heldAfter: 2 }),
      ];
      const [fromSqlite, fromPg] = await both([
        batch({
          fills: fills.slice(0, 2),
          events: [
            { id: 'e1', type: 'signal', ts: T0, symbol: 'BTC/USDT', data: { side: 'buy', nested: { strength: 0.5, list: [1, 'two'] } } },
            { id: 'e2', type: 'rejection', ts: T0 + 1, symbol: 'BTC/USDT', code: 'max-exposure', data: { reason: 'too much "exposure"' } },
          ],
          equity: [{ ts: T0, equity: 10_000, currency: 'USDT' }, { ts: T0 + H, equity: 10_003.916, currency: 'USDT' }],
        }),
        batch({ fills: fills.slice(2) }),
        // The exit order tb-s filled in two parts: one closed trade.
        batch({ fills: [fill({ clientOrderId: 'tb-s', side: 'sell', amount: 1, price: 110, ts: T0 + 4 * H, heldBefore: 2, heldAfter: 1 }, 1)] }),
        batch({ fills: [fill({ clientOrderId: 'tb-s', side: 'sell', amount: 1, price: 120, ts: T0 + 5 * H, heldBefore: 1, heldAfter: 0 }, 2)] }),
        batch({ fills: [fill({ clientOrderId: 'b2', side: 'buy', amount: 1, price: 100, ts: T0 + 6 * H, heldBefore: 0, heldAfter: 1 }), fill({ clientOrderId: 'fx', side: 'sell', amount: 1, price: 90, ts: T0 + 7 * H, heldBefore: 1, heldAfter: 0, reason: 'force exit: drawdown breaker tripped (flatten)' })] }),
      ]);
      assert.deepEqual(fromPg, fromSqlite);
      // And the figures are the journal's (checked by hand in test/unit/journal.test.ts).
      const trades = (fromPg as { trades: Array<{ id: string; pnl: number; exitReason: string }> }).trades;
      assert.deepEqual(trades.map((t) => t.id), ['fx', 'tb-s', 'tb-a-sl', 'tb-b']);
      assert.equal(trades[0]!.exitReason, 'breaker');
      assert.ok(Math.abs(trades.find((t) => t.id === 'tb-b')!.pnl - 3.916) < 1e-9);
      assert.equal(trades.find((t) => t.id === 'tb-a-sl')!.exitReason, 'stop-loss');
    });

    it('a batch written again (a retry after an outage, the catch-up after a restart) changes nothing in either', async function () {
      const fills = [
        fill({ clientOrderId: 'tb-a', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1 }),
        fill({ clientOrderId: 'tb-b', side: 'sell', amount: 1, price: 120, ts: T0 + H, heldBefore: 1, heldAfter: 0 }),
      ];
      const b = batch({ fills, events: [{ id: 'e1', type: 'lifecycle', ts: T0, code: 'start', data: { event: 'start' } }], equity: [{ ts: T0, equity: 1, currency: 'USDT' }] });
      const [fromSqlite, fromPg] = await both([b, b, batch({ fills: [fills[1]!] })]);
      assert.deepEqual(fromPg, fromSqlite);
      assert.equal((fromPg as { fills: unknown[] }).fills.length, 2);
      assert.equal((fromPg as { trades: unknown[] }).trades.length, 1);
    });

    it('orders keep their latest state (a late, less filled update changes nothing), as in SQLite', async function () {
      const orders = [
        order({ clientOrderId: 'o1', status: 'open', filled: 0, ts: T0, price: 100, reason: 'first' }),
        order({ clientOrderId: 'o1', orderId: 'X1', status: 'closed', filled: 1, average: 101, fee: 0.1, ts: T0 + 2 }),
        order({ clientOrderId: 'o1', status: 'open', filled: 0.5, ts: T0 + 1 }),
      ];
      for (const s of [sqlite, pg] as JournalStore[]) await s.write('acc', batch({ orders }));
      const sqliteRow = { ...((sqlite as unknown as { all(t: string, p: unknown[]): unknown[] }).all('SELECT * FROM journal_orders', [])[0] as object) };
      const pgRow = (await admin.query("SELECT * FROM tb_same.journal_orders WHERE account = 'acc'")).rows[0];
      assert.deepEqual({ ...pgRow, ts: Number(pgRow.ts) }, sqliteRow);
      assert.equal(pgRow.status, 'closed');
      assert.equal(pgRow.order_id, 'X1');
      assert.equal(pgRow.reason, 'first');
    });

    it('rows PostgreSQL would refuse as they are (a NUL character, a fractional ms time) are written, not left to block the queue', async function () {
      await pg.write('acc', batch({
        events: [{ id: 'e-nul', type: 'rejection', ts: T0 + 0.6, code: 'EXCHANGE', data: { reason: 'bad\u0000answer', path: 'C:\\u0000dir' } }],
        orders: [order({ clientOrderId: 'o-nul', status: 'rejected', filled: 0, ts: T0, reason: 'exchange said \u0000no' })],
      }));
      const [event] = await pg.events('acc');
      assert.deepEqual(event!.data, { reason: 'badanswer', path: 'C:\\u0000dir' }, 'only the NUL is gone; an escaped backslash before "u0000" stays');
      assert.equal(event!.ts, T0 + 1);
      assert.equal((await admin.query("SELECT reason FROM tb_same.journal_orders WHERE account = 'acc'")).rows[0].reason, 'exchange said no');
    });

    it('retention and clear remove the same rows', async function () {
      const b = batch({
        fills: [fill({ clientOrderId: 'tb-a', side: 'buy', amount: 1, price: 100, ts: T0, heldBefore: 0, heldAfter: 1 }), fill({ clientOrderId: 'tb-b', side: 'sell', amount: 1, price: 120, ts: T0 + 10 * H, heldBefore: 1, heldAfter: 0 })],
        equity: [{ ts: T0, equity: 1, currency: 'USDT' }, { ts: T0 + 10 * H, equity: 2, currency: 'USDT' }],
      });
      for (const s of [sqlite, pg] as JournalStore[]) {
        await s.write('acc', b);
        await s.prune('acc', T0 + H);
      }
      const [a, c] = await both([]);
      assert.deepEqual(c, a);
      assert.equal((c as { fills: unknown[] }).fills.length, 1);
      assert.equal((c as { trades: unknown[] }).trades.length, 1, 'trades are kept');
      await pg.clear('acc');
      assert.equal(await pg.countTrades('acc'), 0);
    });
  });

  it('errors while the server is down say "database down", and a wrong password is named without showing it', async function () {
    const wrong = new JournalPool(parseDatabaseSettings({ url: server.url, user: server.user, password: `${server.password}-wrong`, schema: 'tb_err' }));
    const err = await wrong.store().open().then(() => undefined, (e: unknown) => e);
    await wrong.end(0);
    const text = describeJournalError(err);
    assert.match(text, /password authentication failed for user "tradebot"/);
    assert.ok(!text.includes(server.password), text);
    // A port nothing listens on: the server is down.
    const down = new JournalPool(parseDatabaseSettings({ url: 'postgres://127.0.0.1:1/tradebot', user: server.user, password: server.password }));
    const refused = await down.store().open().then(() => undefined, (e: unknown) => e);
    await down.end(0);
    assert.match(describeJournalError(refused), /^database down \(connection refused/);
    // A connection cut by the server's shutdown, and a statement the server ended (57P01).
    assert.match(describeJournalError(new Error('Connection terminated unexpectedly')), /^database down/);
    assert.match(describeJournalError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })), /^database down/);
  });

  describe('a flow on the simulated market with its journal in PostgreSQL', function () {
    afterEach(unloadFlow);

    const flow = (schema: string): FlowNode[] => [
      { id: 'pgdb', type: 'tradebot-database', url: server.url, tls: 'off', schema },
      { id: 'px', type: 'tradebot-exchange', mode: 'sim', simSeed: 7, simSpeed: 600, simBalances: 'USDT=10000', database: 'pgdb' },
      { id: 'p-ticker', type: 'tradebot-ticker', exchange: 'px', symbols: 'BTC/USDT', interval: 1000, wires: [['p-tick-out']] },
      { id: 'p-tick-out', type: 'helper' },
      { id: 'p-risk', type: 'tradebot-risk-gate', exchange: 'px', sizing: 'quote', quoteAmount: 500, wires: [['p-order'], ['p-rejected']] },
      { id: 'p-order', type: 'tradebot-place-order', exchange: 'px', wires: [['p-updates'], ['p-portfolio']] },
      { id: 'p-rejected', type: 'helper' },
      { id: 'p-updates', type: 'helper' },
      { id: 'p-portfolio', type: 'helper' },
    ];
    const credentials = () => ({ pgdb: { user: server.user, password: server.password } });
    let n = 0;
    const signal = (side: 'buy' | 'sell') => ({ payload: { kind: 'signal', id: `sig-pg${++n}`, exchange: 'sim', symbol: 'BTC/USDT', side, price: 60000, ts: Date.now(), candleTs: 0, strategy: 'pg-test', strength: 1, reason: 'r' } });
    const filledIds = (updates: Inbox) => updates.messages.filter((m) => m.payload.status === 'closed').map((m) => m.payload.clientOrderId as string);
    const journalHealth = async () => (await helper.request().get('/tradebot/health')).body.exchanges.find((e: any) => e.id === 'px').journal;
    const count = async (sql: string) => Number((await admin.query(sql)).rows[0].n);
    /** Waits until the query counts at least `n` (the journal writes every 500 ms; its tables exist once it opened). */
    async function rowsAppear(sql: string, n: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = await count(sql).catch(() => 0);
        if (got >= n) return;
        if (Date.now() > deadline) throw new Error(`expected ${n} rows within ${timeoutMs} ms from ${sql}, got ${got}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    it('orders placed through the risk gate are journaled in PostgreSQL: fills, the closed trade, orders, events', async function () {
      await admin.query('DROP SCHEMA IF EXISTS tb_flow CASCADE');
      await loadFlow(flow('tb_flow'), credentials());
      const updates = new Inbox('p-updates', (m) => m.payload?.status === 'closed');
      await new Inbox('p-tick-out').take(1);
      getNode('p-risk').receive(signal('buy'));
      await updates.take(1);
      getNode('p-risk').receive(signal('sell'));
      await updates.take(2);
      const ids = filledIds(updates);
      await rowsAppear("SELECT count(*) AS n FROM tb_flow.journal_trades WHERE account = 'px:sim'", 1);
      const fills = (await admin.query("SELECT client_order_id, side, strategy FROM tb_flow.journal_fills WHERE account = 'px:sim' ORDER BY ts, id")).rows;
      assert.deepEqual(fills.map((f) => f.client_order_id), ids);
      assert.deepEqual(fills.map((f) => f.side), ['buy', 'sell']);
      const trades = (await admin.query("SELECT id, strategy, exit_reason, amount, pnl FROM tb_flow.journal_trades WHERE account = 'px:sim'")).rows;
      assert.equal(trades.length, 1);
      assert.equal(trades[0].id, ids[1]);
      assert.equal(trades[0].strategy, 'pg-test');
      assert.equal(trades[0].exit_reason, 'signal');
      assert.ok(Number.isFinite(trades[0].pnl) && trades[0].pnl < 0 && trades[0].pnl > -5, `a round trip at about the same price costs the fees: ${trades[0].pnl}`);
      assert.equal(await count("SELECT count(*) AS n FROM tb_flow.journal_orders WHERE account = 'px:sim' AND status = 'closed'"), 2);
      assert.ok(await count("SELECT count(*) AS n FROM tb_flow.journal_events WHERE account = 'px:sim' AND type = 'signal'") >= 2);
      // The event payload is JSONB: SQL can look inside it.
      assert.equal(await count("SELECT count(*) AS n FROM tb_flow.journal_events WHERE account = 'px:sim' AND type = 'signal' AND data->>'strategy' = 'pg-test'"), 2);
      const health = await journalHealth();
      assert.equal(health.backend, 'postgresql');
      assert.equal(health.state, 'ok');
      assert.equal(health.location, `postgresql://tradebot@127.0.0.1:${server.port}/tradebot`);
    });

    it('PostgreSQL stopped under a running flow: trading goes on, health and status say so, and every fill is written once when it is back', async function () {
      await admin.query('DROP SCHEMA IF EXISTS tb_outage CASCADE');
      await loadFlow(flow('tb_outage'), credentials());
      const updates = new Inbox('p-updates', (m) => m.payload?.status === 'closed');
      const statuses = recordStatuses('p-order');
      await new Inbox('p-tick-out').take(1);
      getNode('p-risk').receive(signal('buy'));
      await updates.take(1);
      await rowsAppear("SELECT count(*) AS n FROM tb_outage.journal_fills WHERE account = 'px:sim'", 1);

      await admin.end();
      await server.stop();
      // Trading goes on: a sell and another round trip fill while the database is down.
      getNode('p-risk').receive(signal('sell'));
      await updates.take(2);
      getNode('p-risk').receive(signal('buy'));
      await updates.take(3);
      getNode('p-risk').receive(signal('sell'));
      await updates.take(4);
      let down: any;
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        down = await journalHealth();
        if (down.state === 'down') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(down.state, 'down', inspect(down));
      assert.ok(down.queued > 0, `rows wait: ${inspect(down)}`);
      assert.match(down.error, /^database down/);
      await waitFor(() => statuses.some((s) => /journal/.test(s.text ?? '') && /database down/.test(s.text ?? '')), 5_000, 'the place-order status names the journal');
      assert.equal((await helper.request().get('/tradebot/health')).body.exchanges[0].connected, true, 'trading itself is fine');

      await server.start();
      admin = new Pool(server.connection());
      admin.on('error', () => undefined);
      // The journal retries with backoff (1, 2, 4 ... s).
      const back = Date.now() + 30_000;
      let health: any;
      while (Date.now() < back) {
        health = await journalHealth();
        if (health.state === 'ok' && health.queued === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(health.state, 'ok', inspect(health));
      assert.equal(health.queued, 0);
      const ids = filledIds(updates);
      assert.equal(ids.length, 4);
      const rows = (await admin.query("SELECT client_order_id, count(*)::int AS n FROM tb_outage.journal_fills WHERE account = 'px:sim' GROUP BY 1")).rows;
      assert.deepEqual(Object.fromEntries(rows.map((r) => [r.client_order_id, r.n])), Object.fromEntries(ids.map((id) => [id, 1])), 'every fill once');
      assert.equal(await count("SELECT count(*) AS n FROM tb_outage.journal_trades WHERE account = 'px:sim'"), 2, 'two round trips, two closed trades');
      assert.ok(statuses.some((s) => /journal: writing again/.test(s.text ?? '')), inspect(statuses.slice(-3)));

      // The password is in nothing shown: health, statuses, the log (node warnings included).
      const shown = inspect([health, down, statuses, helper.log().args], { depth: 30, maxStringLength: Infinity, maxArrayLength: Infinity, breakLength: Infinity });
      assert.ok(!shown.includes(server.password), 'the password appears in what the nodes showed');
      assert.match(shown, /connection to postgresql:\/\/tradebot@127\.0\.0\.1:\d+\/tradebot lost/, 'the database node warned that its connections broke');
    });

    it('PostgreSQL not up yet at deploy (Node-RED started first): the flow trades, and the journal opens and writes once the server is there', async function () {
      await admin.query('DROP SCHEMA IF EXISTS tb_late CASCADE');
      await admin.end();
      await server.stop();
      try {
        await loadFlow(flow('tb_late'), credentials());
        const updates = new Inbox('p-updates', (m) => m.payload?.status === 'closed');
        await new Inbox('p-tick-out').take(1);
        getNode('p-risk').receive(signal('buy'));
        await updates.take(1);
        let health: any;
        for (const end = Date.now() + 5_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if ((health = await journalHealth()).state === 'down') break;
        assert.equal(health.state, 'down', inspect(health));
        assert.match(health.error, /^database down \(connection refused/);
      } finally {
        await server.start();
        admin = new Pool(server.connection());
        admin.on('error', () => undefined);
      }
      // The schema is made, and the fill written, by the journal's next try.
      await rowsAppear("SELECT count(*) AS n FROM tb_late.journal_fills WHERE account = 'px:sim'", 1, 15_000);
      assert.equal((await journalHealth()).state, 'ok');
    });

    it('a password in the URL is refused at deploy, naming the field, and the exchange node says why it has no journal', async function () {
      const bad = flow('tb_bad').map((node) => (node.id === 'pgdb' ? { ...node, url: `postgres://tradebot:${server.password}@127.0.0.1:${server.port}/tradebot` } : node));
      await loadFlow(bad, credentials());
      const db = getNode('pgdb');
      assert.match(db.configError, /^database\.url: contains a password/);
      assert.match(db.configError, /Password field/);
      assert.match(getNode('px').configError, /^exchange\.database: database\.url: contains a password/);
      const shown = inspect([db.configError, getNode('px').configError, helper.log().args], { depth: 30, maxStringLength: Infinity, breakLength: Infinity });
      assert.ok(!shown.includes(server.password));
    });
  });
});

describe('trade journal on PostgreSQL over TLS (a real server with a self-signed certificate)', function () {
  this.timeout(30_000);
  let server: PostgresServer;

  before(async function () {
    requirePostgres(this, { tls: true });
    server = new PostgresServer({ tls: true });
    await server.start();
  });
  after(async function () {
    await server?.destroy();
  });

  /** Opens a journal with these TLS settings; says whether its connection is encrypted, or the error. */
  async function connect(tls: string, ca?: string): Promise<{ encrypted: boolean } | { error: string }> {
    const pool = new JournalPool(parseDatabaseSettings({ url: server.url, user: server.user, password: server.password, tls, ca, schema: 'tb_tls' }));
    try {
      await pool.store().open();
      const row = (await pool.pool.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0];
      return { encrypted: row.ssl === true };
    } catch (err) {
      return { error: describeJournalError(err) };
    } finally {
      await pool.end(0);
    }
  }

  it('off: plain; require: encrypted without checking the certificate; verify: refuses an unknown certificate, accepts it with its CA file', async function () {
    assert.deepEqual(await connect('off'), { encrypted: false });
    assert.deepEqual(await connect('require'), { encrypted: true });
    const refused = await connect('verify');
    assert.ok('error' in refused && /self[- ]signed certificate/i.test(refused.error), JSON.stringify(refused));
    assert.ok(!JSON.stringify(refused).includes(server.password));
    assert.deepEqual(await connect('verify', server.caFile), { encrypted: true });
  });
});
