/**
 * A notifier whose Telegram bot has no token, or that has no chat id, in the real Node-RED runtime:
 * a valid node (no warning, no error at deploy), a blue status saying the texts go to the output
 * only, and each notification's text on its output. The examples with a notifier ship that way,
 * so each deploys without a warning or an error from any node.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Inbox, getNode, loadFlow, statusesSoFar, unloadFlow, waitFor, type FlowNode } from '../support/node-red';

/**
 * Every call of `method` (warn, error) any node of the flow made so far, constructor included,
 * read from the helper's spy on Node's prototype (a node's own method is the redaction wrapper,
 * which calls through to that spy).
 */
function callsSoFar(method: 'warn' | 'error', ids: string[]): string[] {
  const nodes = new Map(ids.map((id) => [getNode(id), id] as const));
  for (let proto = Object.getPrototypeOf(getNode(ids[0]!)); proto; proto = Object.getPrototypeOf(proto)) {
    const spy = Object.getOwnPropertyDescriptor(proto, method)?.value;
    if (typeof spy?.getCalls !== 'function') continue;
    return spy
      .getCalls()
      .filter((call: any) => nodes.has(call.thisValue))
      .map((call: any) => `${call.thisValue.type} ${nodes.get(call.thisValue)}: ${String(call.args[0]?.message ?? call.args[0])}`);
  }
  throw new Error(`callsSoFar: no spied ${method} on Node (is this node-red-node-test-helper?)`);
}

const signal = { topic: 'BTC/USDT', payload: { kind: 'signal', id: 'sig-1', exchange: 'sim', symbol: 'BTC/USDT', side: 'buy', price: 64012.5, ts: Date.now(), strategy: 'maCross', strength: 0.8, reason: 'fast crossed above slow' } };

describe('a notifier without a Telegram token or chat id', function () {
  this.timeout(30_000);
  afterEach(unloadFlow);

  // A Telegram API on loopback that counts requests: a notifier that is not set up must send none.
  let telegram: http.Server;
  let requests = 0;
  let apiBase = '';
  before(async () => {
    telegram = http.createServer((req, res) => {
      requests++;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, result: {} }));
    });
    await new Promise<void>((r) => telegram.listen(0, '127.0.0.1', r));
    apiBase = `http://127.0.0.1:${(telegram.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => telegram.close(() => r())));

  const cases: Array<{ what: string; token?: string; chatId: string; status: RegExp }> = [
    { what: 'no token and no chat id (an imported example)', chatId: '', status: /^no Telegram bot token set: texts go to the output only$/ },
    { what: 'no token, a chat id', chatId: '123456789', status: /^no Telegram bot token set: texts go to the output only$/ },
    { what: 'a token, no chat id', token: '123:secret-token-for-the-test', chatId: '', status: /^no Telegram chat id set: texts go to the output only$/ },
  ];
  for (const c of cases) {
    it(`${c.what}: deploys without a warning or an error, says so in a blue status, and sends a signal's text to its output`, async () => {
      requests = 0;
      const flow: FlowNode[] = [
        { id: 'bot', type: 'tradebot-telegram', apiBase, allowedChats: '' },
        { id: 'n', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: c.chatId, parseMode: 'HTML', wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ];
      await loadFlow(flow, c.token ? { bot: { token: c.token } } : {});
      const out = new Inbox('out');
      const caught = new Inbox('caught');
      getNode('n').receive(signal);
      const [msg] = await out.take(1, 5_000);
      // The output contract as before: topic "notification", the plain text in payload.
      assert.equal(msg.topic, 'notification');
      assert.match(msg.payload, /buy signal BTC\/USDT @ 64012\.5/);
      assert.match(msg.payload, /maCross, strength 0\.8/);
      await waitFor(() => statusesSoFar(getNode('n')).at(-1)?.fill === 'blue', 5_000, 'the notifier\'s blue status');
      const status = statusesSoFar(getNode('n')).at(-1);
      assert.equal(status?.fill, 'blue');
      assert.match(String(status?.text), c.status);
      assert.deepEqual([...callsSoFar('warn', ['bot', 'n']), ...callsSoFar('error', ['bot', 'n'])], [], 'no warning or error logged');
      assert.equal(caught.messages.length, 0, 'nothing for a Catch node');
      assert.equal(requests, 0, 'nothing sent to Telegram');
    });
  }

  it('with a token and a chat id it still sends to Telegram (the output-only state is only for what is missing)', async () => {
    requests = 0;
    await loadFlow(
      [
        { id: 'bot', type: 'tradebot-telegram', apiBase, allowedChats: '' },
        { id: 'n', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: '123456789', parseMode: 'HTML', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      { bot: { token: '123:secret-token-for-the-test' } },
    );
    const out = new Inbox('out');
    getNode('n').receive(signal);
    await out.take(1, 5_000);
    await waitFor(() => requests > 0, 5_000, 'the text sent to Telegram');
    assert.notEqual(statusesSoFar(getNode('n')).at(-1)?.fill, 'blue');
  });

  it('a telegram control node on a bot without a token idles without a warning, a blue status saying why', async () => {
    requests = 0;
    await loadFlow([
      { id: 'bot', type: 'tradebot-telegram', apiBase, allowedChats: '' },
      { id: 'tc', type: 'tradebot-telegram-control', telegram: 'bot', wires: [[]] },
    ]);
    await waitFor(() => statusesSoFar(getNode('tc')).at(-1)?.fill === 'blue', 5_000, 'the control node\'s blue status');
    const status = statusesSoFar(getNode('tc')).at(-1);
    assert.equal(status?.fill, 'blue');
    assert.match(String(status?.text), /no Telegram bot token set/);
    assert.deepEqual([...callsSoFar('warn', ['bot', 'tc']), ...callsSoFar('error', ['bot', 'tc'])], []);
    assert.equal(requests, 0, 'no poll of Telegram');
  });
});

/** The package root: the nearest folder up from here with our package.json (works from src and dist). */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'node-red-contrib-tradebot') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package root above ${__dirname}`);
  }
}

const EXAMPLES = path.join(packageRoot(), 'examples');
const read = (file: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
/** The examples with a notifier, loadable here (no Redis, no database, no backtest, no dashboard: those run in their own suites). */
const withNotifier = fs
  .readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .filter((f) => {
    const flow = read(f);
    return flow.some((n) => n.type === 'tradebot-notifier') && !flow.some((n) => /^(tradebot-(redis|database|backtest|stream-in)|ui-)/.test(n.type));
  });

/** As test/node/examples.test.ts loads an example: no tab, comments or injects; debug nodes as helpers; the market sped up. */
function testCopy(flow: FlowNode[]): FlowNode[] {
  return flow
    .filter((n) => !['tab', 'comment', 'inject'].includes(n.type))
    .map((n) => {
      const { z: _z, ...node } = n;
      if (node.type === 'debug') return { id: node.id, type: 'helper', name: node.name, wires: [] } as FlowNode;
      if (node.type === 'tradebot-exchange') return { ...node, simSpeed: 6000 } as FlowNode;
      return node as FlowNode;
    });
}

describe('the examples with a notifier deploy without a warning or an error', function () {
  this.timeout(60_000);
  afterEach(unloadFlow);

  it('there are such examples (Telegram notifications, classic bot, combined strategies)', () => {
    assert.ok(withNotifier.length >= 3, `examples with a notifier: ${withNotifier.join(', ')}`);
  });

  for (const file of withNotifier) {
    it(`${file}: no node warns or errors at deploy; the notifier says where its texts go and passes one on`, async () => {
      const flow = testCopy(read(file));
      await loadFlow(flow);
      const ids = flow.filter((n) => n.type !== 'helper').map((n) => n.id);
      // Deploy, then the first minutes of simulated trading (a notification text is the proof it ran).
      for (const notifier of flow.filter((n) => n.type === 'tradebot-notifier')) {
        const target = ((notifier.wires as string[][] | undefined)?.[0] ?? [])[0];
        assert.ok(target, `notifier ${notifier.id}: its output is wired`);
        const inbox = new Inbox(target);
        await waitFor(() => inbox.messages.some((m) => typeof m.payload === 'string' && m.payload.length > 0), 20_000, 'a notification text on the output');
        const status = statusesSoFar(getNode(notifier.id)).find((s) => /texts go to the output only/.test(String(s?.text)));
        assert.ok(status, `notifier ${notifier.id}: a status saying the texts go to the output only`);
        assert.equal(status.fill, 'blue');
      }
      assert.deepEqual(callsSoFar('warn', ids), [], 'no node warned');
      assert.deepEqual(callsSoFar('error', ids), [], 'no node reported an error');
    });
  }
});
