/**
 * The example flows in examples/ (Node-RED lists them under Import > Examples): each one is a
 * well-formed flow on the simulated market, and loaded into the real runtime it runs without
 * errors and every strategy node in it sends signals.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { STRATEGY_KINDS } from '../../core/strategies/settings';
import { RedisServer, redisServerPath } from '../support/redis-server';
import { Pool } from 'pg';
import { PostgresServer, postgresUnavailable } from '../support/postgres-server';
import { Inbox, getNode, loadFlow, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

/** The package root: the nearest folder up from here with our package.json (works from src and dist). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'node-red-contrib-tradebot') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package root above ${__dirname}`);
  }
}

const ROOT = packageRoot();
const EXAMPLES = path.join(ROOT, 'examples');
/**
 * The example that needs FlowFuse Dashboard 2 is not under examples/ (Import > Examples): a flow with
 * a node type Node-RED does not know stops every flow on deploy. It is in examples-dashboard/, imported
 * as a file once the dashboard is installed, and checked here like the others.
 */
const DASHBOARD_EXAMPLES = path.join(ROOT, 'examples-dashboard');
const jsonFiles = (dir: string, rel: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => `${rel}/${f}`) : []);
/** Paths relative to the package root: examples/<name>.json and examples-dashboard/<name>.json. */
const files = [...jsonFiles(EXAMPLES, 'examples'), ...jsonFiles(DASHBOARD_EXAMPLES, 'examples-dashboard')];
const read = (file: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
const baseName = (file: string) => path.basename(file, '.json');

const OUR_TYPES = ['tradebot-exchange', 'tradebot-ticker', 'tradebot-order-book', 'tradebot-candles', 'tradebot-indicator', 'tradebot-strategy', 'tradebot-risk-gate', 'tradebot-place-order', 'tradebot-telegram', 'tradebot-notifier', 'tradebot-telegram-control', 'tradebot-redis', 'tradebot-database', 'tradebot-stream-out', 'tradebot-stream-in', 'tradebot-stream-ack', 'tradebot-backtest', 'tradebot-journal', 'tradebot-pairlist'];
const CORE_TYPES = ['tab', 'debug', 'comment', 'catch', 'complete', 'inject', 'change', 'delay', 'function', 'switch', 'link in', 'link out', 'http in', 'http response', 'http request'];
/** Config nodes: global (no tab), shared by the nodes that select them. */
const CONFIG_TYPES = ['tradebot-exchange', 'tradebot-telegram', 'tradebot-redis', 'tradebot-database'];
/**
 * The one optional kind of example that needs a package besides ours: its file name says it needs
 * FlowFuse Dashboard 2 (@flowfuse/node-red-dashboard). Only there may `ui-*` nodes appear; the
 * dashboard's config nodes are global like ours.
 */
const needsDashboard = (file: string) => /needs FlowFuse Dashboard/i.test(file);
const DASHBOARD_CONFIG_TYPES = ['ui-base', 'ui-theme', 'ui-page', 'ui-group'];
/** The dashboard config nodes the dashboard examples share (same id, same settings); each has its own pages and groups. */
const SHARED_DASHBOARD_CONFIG_TYPES = ['ui-base', 'ui-theme'];
const knownType = (file: string, type: string) => [...OUR_TYPES, ...CORE_TYPES].includes(type) || (needsDashboard(file) && /^ui-[a-z-]+$/.test(type));
/**
 * Examples whose runtime check lives elsewhere: those fed by another example over a stream (11 by 10)
 * in the streams suite (test/integration/redis-streams.test.ts), backtest ones in a real Node-RED
 * process (test/e2e/backtest-flow.test.ts: the test helper has no messaging hooks).
 */
const needsRedis = (flow: FlowNode[]) => flow.some((n) => n.type === 'tradebot-redis' || n.type === 'tradebot-backtest');
/** A function node that makes signals with node-red-contrib-tradebot/signal (Setup > Modules): a strategy of the user's own. */
const SIGNAL_MODULE = 'node-red-contrib-tradebot/signal';
const isFunctionStrategy = (n: FlowNode) => n.type === 'function' && Array.isArray(n.libs) && (n.libs as Array<{ module?: string }>).some((l) => l.module === SIGNAL_MODULE);
/**
 * Also those with a function node loading our module or an http in endpoint (19, 20): the test
 * helper cannot load a function node's modules; test/e2e/strategy-code-examples.test.ts runs them
 * in a real Node-RED.
 */
const runsElsewhere = (flow: FlowNode[]) => flow.some((n) => n.type === 'tradebot-stream-in' || n.type === 'tradebot-backtest' || isFunctionStrategy(n) || n.type === 'http in');
/** Self-contained examples with a Redis node run here against a real redis-server started for them. */
const usesRedis = (flow: FlowNode[]) => flow.some((n) => n.type === 'tradebot-redis');
/** Examples with a tradebot-database node run against a real PostgreSQL started for them (the user types the password in the editor). */
const usesPostgres = (flow: FlowNode[]) => flow.some((n) => n.type === 'tradebot-database');
/** Node types that document the flow or are buttons for the user: the runtime test leaves them out. */
const NOT_LOADED = ['tab', 'comment', 'inject'];
/** What loadFlow can run: our nodes, the core catch node, and helper nodes standing in for debug nodes. */
const LOADABLE = [...OUR_TYPES, 'catch', 'helper'];

/** Simulated time per wall time in the test (the examples run at 60 or 300): 100 simulated minutes per second. */
const TEST_SIM_SPEED = 6000;
const SIGNAL_TIMEOUT_MS = 20_000;

const wiresOf = (n: FlowNode): string[][] => (Array.isArray(n.wires) ? (n.wires as string[][]) : []);

/**
 * The example as the helper can load it: without the tab (loadFlow brings its own) and the
 * comments, debug nodes replaced by helper nodes with the same id, the exchange sped up.
 * Strategy settings stay as in the file: at this speed even the rarest example (Bollinger + StochRSI,
 * well under one signal per simulated hour and symbol) signals within a few seconds.
 */
function testCopy(flow: FlowNode[], redis?: { url: string; keyPrefix: string }, postgres?: { url: string; schema: string }): FlowNode[] {
  return flow
    .filter((n) => !NOT_LOADED.includes(n.type))
    .map((n) => {
      const { z: _z, ...node } = n;
      if (node.type === 'debug') return { id: node.id, type: 'helper', name: node.name, wires: [] } as FlowNode;
      // A change node that only keeps something in flow context for a button (example 23's last held request).
      if (node.type === 'change') return { id: node.id, type: 'helper', name: node.name, wires: [] } as FlowNode;
      if (node.type === 'tradebot-exchange') return { ...node, simSpeed: TEST_SIM_SPEED } as FlowNode;
      if (node.type === 'tradebot-redis' && redis) return { ...node, url: redis.url, keyPrefix: redis.keyPrefix } as FlowNode;
      if (node.type === 'tradebot-database' && postgres) return { ...node, url: postgres.url, schema: postgres.schema } as FlowNode;
      return node as FlowNode;
    });
}

describe('example flows (examples/)', function () {
  this.timeout(60_000);

  // A real redis-server for the self-contained Redis examples (started only if one exists).
  let redisServer: RedisServer | undefined;
  let redisProbe: Redis | undefined;
  before(async function () {
    if (!files.some((f) => usesRedis(read(f)) && !runsElsewhere(read(f))) || !redisServerPath()) return;
    redisServer = new RedisServer();
    await redisServer.start();
    redisProbe = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  });
  // A real PostgreSQL for the examples with a journal database (started only if one exists).
  let pgServer: PostgresServer | undefined;
  let pgProbe: Pool | undefined;
  before(async function () {
    if (!files.some((f) => usesPostgres(read(f))) || postgresUnavailable()) return;
    pgServer = new PostgresServer();
    await pgServer.start();
    pgProbe = new Pool(pgServer.connection());
    pgProbe.on('error', () => undefined);
  });
  after(async function () {
    redisProbe?.disconnect();
    await redisServer?.destroy();
    await pgProbe?.end().catch(() => undefined);
    await pgServer?.destroy();
  });

  it('one example per built-in strategy, file names as listed in Import > Examples', function () {
    assert.ok(files.length > 0, `no examples in ${EXAMPLES}`);
    for (const f of files) assert.match(path.basename(f), /^\d\d [A-Za-z0-9][A-Za-z0-9 +\-]*\.json$/, `file name "${f}"`);
    const used = new Set(files.flatMap((f) => read(f).filter((n) => n.type === 'tradebot-strategy').map((n) => n.strategy as string)));
    assert.deepEqual([...used].sort(), [...STRATEGY_KINDS].sort(), 'every strategy is shown by an example');
  });

  it('Import > Examples (examples/) lists no flow with another package\'s node types: the dashboard one is in examples-dashboard/', function () {
    // One unknown node type in a deployed flow stops every flow ("Flows stopped due to missing node types").
    for (const f of files.filter((file) => file.startsWith('examples/'))) {
      const foreign = read(f).filter((n) => ![...OUR_TYPES, ...CORE_TYPES].includes(n.type));
      assert.deepEqual(foreign.map((n) => n.type), [], `${f} needs node types from another package`);
    }
    const dashboard = files.filter(needsDashboard);
    assert.deepEqual(dashboard, ['examples-dashboard/16 Dashboard - needs FlowFuse Dashboard 2.json', 'examples-dashboard/24 Dashboard approvals - needs FlowFuse Dashboard 2.json']);
  });

  it('node ids are unique across all examples, except config nodes, which examples share (importing two must not clash)', function () {
    // Node-RED's import finds a config node whose id exists already and offers "Import copy": the
    // flow's nodes get new ids and use the existing config node. So every example's config node of one
    // kind and settings has one id, and one id never stands for two different settings.
    const seen = new Map<string, string>();
    const configs = new Map<string, { file: string; node: FlowNode }>();
    for (const f of files) {
      for (const n of read(f)) {
        assert.match(n.id, /^[0-9a-f]{16}$/, `${f}: id ${n.id}`);
        // The dashboard examples share one dashboard (ui-base) and theme: two pages of /dashboard once both are imported.
        if (CONFIG_TYPES.includes(n.type) || (needsDashboard(f) && SHARED_DASHBOARD_CONFIG_TYPES.includes(n.type))) {
          const first = configs.get(n.id);
          if (first) assert.deepEqual(n, first.node, `${f}: config node ${n.id} differs from the one with that id in ${first.file}`);
          else configs.set(n.id, { file: f, node: n });
          assert.equal(seen.get(n.id), undefined, `${f}: config node id ${n.id} is also a flow node in ${seen.get(n.id)}`);
          continue;
        }
        assert.ok(!configs.has(n.id), `${f}: id ${n.id} is a config node's id`);
        assert.equal(seen.get(n.id), undefined, `${f}: id ${n.id} is also used in ${seen.get(n.id)}`);
        seen.set(n.id, f);
      }
    }
  });

  it('after importing every example there is one exchange per kind of settings, one Telegram bot, one Redis', function () {
    const all = new Map<string, FlowNode>();
    for (const f of files) for (const n of read(f)) if (CONFIG_TYPES.includes(n.type)) all.set(n.id, n);
    const kinds = (type: string) => [...all.values()].filter((n) => n.type === type);
    const exchanges = kinds('tradebot-exchange');
    // The simulated market of most examples, the backtest replay of 12 and 18, and the two whose
    // exchange node points at another config node (Redis state in 14, the PostgreSQL journal in 17).
    assert.deepEqual(exchanges.map((e) => e.mode).sort(), ['backtest', 'sim', 'sim', 'sim'], JSON.stringify(exchanges.map((e) => e.name)));
    assert.equal(exchanges.filter((e) => e.mode === 'sim' && !e.redis && !e.database).length, 1, 'one plain simulated market');
    assert.equal(kinds('tradebot-telegram').length, 1, 'one Telegram bot: its token is entered once');
    assert.equal(kinds('tradebot-redis').length, 1, 'one Redis');
    const usingSim = files.filter((f) => read(f).some((n) => n.type === 'tradebot-exchange' && n.mode === 'sim' && !n.redis && !n.database));
    assert.ok(usingSim.length >= 10, `most examples share the simulated market: ${usingSim.length}`);
  });

  for (const file of files) {
    describe(file, function () {
      afterEach(unloadFlow);

      it('is a well-formed flow: one tab, an explaining comment, a sim exchange, known node types, valid wires', function () {
        const flow = read(file);
        assert.ok(Array.isArray(flow), 'a JSON array of nodes');
        const byId = new Map(flow.map((n) => [n.id, n]));
        assert.equal(byId.size, flow.length, 'ids are unique');

        const tabs = flow.filter((n) => n.type === 'tab');
        assert.equal(tabs.length, 1, 'exactly one tab');
        const tab = tabs[0]!;
        assert.equal(tab.label, baseName(file), 'the tab label matches the file name');

        const comments = flow.filter((n) => n.type === 'comment');
        assert.ok(comments.some((c) => typeof c.info === 'string' && c.info.trim().length > 100), 'a comment node whose info explains the example');

        const exchanges = flow.filter((n) => n.type === 'tradebot-exchange');
        assert.ok(exchanges.length === 1 || (exchanges.length === 0 && needsRedis(flow)), 'its own exchange config node');
        for (const exchange of exchanges) {
          assert.ok(exchange.mode === 'sim' || exchange.mode === 'backtest', 'the exchange runs the simulated market (or replays history)');
          assert.equal(exchange.z, undefined, 'the exchange config node is global');
          assert.equal(exchange.credentials, undefined, 'no credentials in an example');
        }

        for (const n of flow) {
          assert.ok(knownType(file, n.type), `node ${n.id}: type "${n.type}" is neither ours nor a core node (ui-* only in an example named "needs FlowFuse Dashboard")`);
          if (n.type === 'tab' || CONFIG_TYPES.includes(n.type) || (needsDashboard(file) && DASHBOARD_CONFIG_TYPES.includes(n.type))) {
            assert.equal(n.z, undefined, `config node ${n.id} is global`);
            continue;
          }
          assert.equal(n.z, tab.id, `node ${n.id} (${n.type}) is on the tab`);
          assert.ok(typeof n.x === 'number' && typeof n.y === 'number', `node ${n.id} has a position`);
          if ('exchange' in n) assert.ok(exchanges.some((e) => e.id === n.exchange), `node ${n.id} uses the example's exchange`);
          for (const [port, targets] of wiresOf(n).entries()) {
            for (const target of targets) {
              const t = byId.get(target);
              assert.ok(t, `node ${n.id} output ${port + 1} is wired to ${target}, which is not in the flow`);
              assert.ok(!['tab', 'comment', 'tradebot-exchange', 'catch', 'inject'].includes(t.type), `node ${n.id} is wired to a ${t.type} node`);
            }
          }
        }

        const strategies = flow.filter((n) => n.type === 'tradebot-strategy');
        const producerOnly = flow.some((n) => n.type === 'tradebot-stream-out') && !flow.some((n) => n.type === 'tradebot-stream-in');
        const functionStrategies = flow.filter(isFunctionStrategy);
        assert.ok(strategies.length > 0 || producerOnly || functionStrategies.length > 0, 'at least one strategy node, function node making signals (or a market-data producer for the streams bus)');
        for (const s of functionStrategies) assert.ok(wiresOf(s).some((targets) => targets.length > 0), `function ${s.id}: its signals are wired`);
        for (const s of strategies) assert.ok((wiresOf(s)[0] ?? []).length > 0, `strategy ${s.id}: its signals output is wired`);
        const catches = flow.filter((n) => n.type === 'catch');
        assert.equal(catches.length, 1, 'a catch node');
        const errorDebug = wiresOf(catches[0]!).flat().map((id) => byId.get(id)!);
        assert.ok(errorDebug.some((d) => d.type === 'debug' && d.complete === 'error' && d.active === true), 'catch -> an active debug node showing msg.error');
      });

      it('runs on the sim market: every strategy node signals, nothing reaches the catch node', async function () {
        if (runsElsewhere(read(file))) this.skip(); // run end to end in redis-streams.test.ts / backtest-flow.test.ts / strategy-code-examples.test.ts
        // The test helper cannot load ui-* nodes (the dashboard is not a dependency of ours): this example
        // runs in a real Node-RED with the dashboard installed in test/e2e/dashboard-example.test.ts (16)
        // and test/e2e/dashboard-approvals.test.ts (24).
        if (needsDashboard(file)) this.skip();
        const withRedis = usesRedis(read(file));
        if (withRedis && !redisServer) {
          if (process.env.CI) throw new Error('redis-server is required in CI (.ci/run installs the Debian package redis-server)');
          console.log('      SKIPPED: redis-server is not installed (apt-get install redis-server); this Redis example did not run');
          this.skip();
        }
        const withPostgres = usesPostgres(read(file));
        if (withPostgres && !pgServer) {
          const reason = postgresUnavailable() ?? 'PostgreSQL did not start';
          if (process.env.CI) throw new Error(`PostgreSQL is required in CI (.ci/run installs the Debian package postgresql): ${reason}`);
          console.log(`      SKIPPED: ${reason}; this PostgreSQL example did not run`);
          this.skip();
        }
        // Each Redis example in a key prefix of its own, on the test's redis-server; each journal database example in a schema of its own.
        const keyPrefix = `tbex${file.slice(0, 2)}:`;
        const schema = `tbex${file.slice(0, 2)}`;
        const flow = testCopy(read(file), withRedis ? { url: redisServer!.url, keyPrefix } : undefined, withPostgres ? { url: pgServer!.url, schema } : undefined);
        for (const n of flow) assert.ok(LOADABLE.includes(n.type), `the test cannot load a ${n.type} node (${n.id}); teach testCopy about it`);
        // The credentials the user types in the database node's dialog.
        const credentials = withPostgres ? Object.fromEntries(flow.filter((n) => n.type === 'tradebot-database').map((n) => [n.id, { user: pgServer!.user, password: pgServer!.password }])) : {};
        await loadFlow(flow, credentials);

        const errors: string[] = [];
        for (const n of flow) {
          if (n.type === 'helper' || CONFIG_TYPES.includes(n.type)) continue;
          getNode(n.id).on('call:error', (call: any) => errors.push(`${n.type} ${n.id}: ${String(call.args[0]?.message ?? call.args[0])}`));
        }
        // The debug nodes a catch node feeds (it may feed a notifier too, which gets other messages as well).
        const caught = flow
          .filter((n) => n.type === 'catch')
          .flatMap((c) => wiresOf(c).flat())
          .filter((id) => flow.find((n) => n.id === id)?.type === 'helper')
          .map((id) => new Inbox(id));

        // A risk gate that asks first: a person presses Approve on each held request (output 3), as
        // the example's Approve button (or a dashboard's, or Telegram's) does.
        for (const gate of flow.filter((n) => n.type === 'tradebot-risk-gate' && n.askFirst === true)) {
          getNode(gate.id).on('call:send', (call: any) => {
            const asked = Array.isArray(call.args[0]) ? call.args[0][2] : undefined;
            if (asked?.payload?.kind === 'approvalRequest') setImmediate(() => getNode(gate.id).receive({ topic: 'approve', payload: asked.payload.clientOrderId }));
          });
        }
        // Signals per strategy node, as sent on output 1 (whatever it is wired to).
        const strategies = flow.filter((n) => n.type === 'tradebot-strategy');
        const signals = new Map<string, any[]>(strategies.map((s) => [s.id, []]));
        for (const s of strategies) {
          getNode(s.id).on('call:send', (call: any) => {
            const out = call.args[0];
            const first = Array.isArray(out) ? out[0] : out;
            if (first) signals.get(s.id)!.push(first);
          });
        }
        // And what arrives where the user looks: the helper nodes wired to the signal outputs.
        const shown = new Map<string, Inbox>();
        for (const s of strategies) {
          for (const id of wiresOf(s)[0] ?? []) if (flow.find((n) => n.id === id)?.type === 'helper' && !shown.has(id)) shown.set(id, new Inbox(id));
        }

        const silent = () => strategies.filter((s) => signals.get(s.id)!.length === 0).map((s) => (s.name as string) || (s.strategy as string));
        const failed = () => errors.length > 0 || caught.some((c) => c.messages.length > 0);
        await waitFor(() => silent().length === 0 || failed(), SIGNAL_TIMEOUT_MS, 'a signal from every strategy node').catch(() => undefined);
        // A fixed wait on purpose: errors of the last candles, if any (none must come: no event to wait for).
        await new Promise((r) => setTimeout(r, 100));

        assert.deepEqual(errors.slice(0, 3), [], 'no node reported an error (the first 3)');
        assert.deepEqual(caught.flatMap((c) => c.messages.map((m) => m.error?.message)).slice(0, 3), [], 'nothing reached the catch node (the first 3)');
        assert.deepEqual(silent(), [], `every strategy node signals within ${SIGNAL_TIMEOUT_MS / 1000} s at speed ${TEST_SIM_SPEED}`);
        await waitFor(() => [...shown.values()].every((i) => i.messages.length > 0), 2_000, 'the signals in the debug nodes');
        for (const s of strategies) {
          for (const m of signals.get(s.id)!) {
            assert.equal(m.payload.kind, 'signal');
            assert.ok(m.payload.side === 'buy' || m.payload.side === 'sell');
            assert.equal(m.payload.exchange, 'sim');
            assert.equal(m.topic, m.payload.symbol);
            if (s.name) assert.equal(m.payload.strategy, s.name, 'signals carry the node name as strategy');
          }
        }
        for (const [id, inbox] of shown) assert.ok(inbox.messages.every((m) => m.payload.kind === 'signal'), `debug ${id} shows signals`);

        // Where the example trades, orders must fill and reach the debug node on the order output.
        for (const order of flow.filter((n) => n.type === 'tradebot-place-order')) {
          const target = (wiresOf(order)[0] ?? [])[0];
          assert.ok(target, `place order ${order.id}: its updates output is wired`);
          const inbox = new Inbox(target);
          await waitFor(() => inbox.messages.some((m) => m.payload.kind === 'orderUpdate' && m.payload.status === 'closed' && m.payload.filled > 0), SIGNAL_TIMEOUT_MS, 'a filled order');
        }
        // Redis examples: what the comment says is in Redis is there: each stream out's stream has
        // entries, and an exchange with "State in Redis" keeps its account there.
        if (withRedis) {
          for (const out of flow.filter((n) => n.type === 'tradebot-stream-out')) {
            const key = `${keyPrefix}${out.key as string}`;
            // A producer-only example has no signal to wait for above: give its stream the same time.
            let entries = 0;
            for (const end = Date.now() + SIGNAL_TIMEOUT_MS; (entries = Number(await redisProbe!.xlen(key))) <= 100 && Date.now() < end; ) {
              await new Promise((r) => setTimeout(r, 100));
            }
            assert.ok(entries > 100, `stream ${key} holds the candles (${entries} entries)`);
            const [[, fields]] = (await redisProbe!.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
            assert.ok(fields.join(' ').includes('"kind":"candle"'), `stream ${key} holds candles: ${fields.join(' ').slice(0, 200)}`);
          }
          for (const ex of flow.filter((n) => n.type === 'tradebot-exchange' && n.redis)) {
            const accounts = await redisProbe!.keys(`${keyPrefix}state:tradebot:account:${ex.id}*`);
            assert.ok(accounts.length > 0, `the account of exchange ${ex.id} is kept in Redis`);
            const keys = await redisProbe!.keys(`${keyPrefix}state:tradebot:risk:*`);
            assert.ok(keys.length > 0 || !flow.some((n) => n.type === 'tradebot-risk-gate'), 'the risk gate state is kept in Redis');
          }
        }
        // Journal database examples: what the comment says is in PostgreSQL is there: the fills of the orders that filled.
        if (withPostgres) {
          let fills = 0;
          for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
            fills = Number((await pgProbe!.query(`SELECT count(*) AS n FROM ${schema}.journal_fills`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
            if (fills > 0) break;
          }
          assert.ok(fills > 0, `the journal's fills are in PostgreSQL (${schema}.journal_fills)`);
        }
        // Notifiers without a bot token pass their texts on: they must reach the debug node.
        for (const notifier of flow.filter((n) => n.type === 'tradebot-notifier')) {
          const inbox = new Inbox((wiresOf(notifier)[0] ?? [])[0]!);
          await waitFor(() => inbox.messages.some((m) => typeof m.payload === 'string' && m.payload.length > 0), SIGNAL_TIMEOUT_MS, 'a notification text');
        }
      });
    });
  }
});
