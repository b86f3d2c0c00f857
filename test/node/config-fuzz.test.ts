/**
 * No node constructor throws, whatever an imported flow carries: every field of every node type
 * (the editor's defaults list them) is set in turn to a number, a boolean, an object, a negative
 * number and stray text, in the real Node-RED runtime. Node-RED leaves a node whose constructor
 * throws out of the flow (and messages wired to it vanish); here every node must still be there.
 * What a refused node then does (red status, Catch, done(err)) is config-refusal.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import backtestNode from '../../nodes/tradebot-backtest/tradebot-backtest';
import { helper, tradebotNodes, type FlowNode } from '../support/node-red';
import { NODE_SPECS } from '../../nodes/specs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require(require.resolve('@node-red/nodes/core/common/25-catch.js', { paths: [path.dirname(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'))] }));

const TAB = 'fuzz-tab';
const CONFIG_TYPES = ['tradebot-exchange', 'tradebot-telegram', 'tradebot-redis'];
const WEIRD: unknown[] = [5, true, { a: 1 }, -1, 'x!'];
const EDITOR_NODES_DIR = path.join(__dirname, '..', '..', '..', 'editor', 'nodes');

/**
 * The field names in a node's editor `defaults` (the fields a flow file can carry): its spec
 * (nodes/<node>/spec.ts), or, for a node without one, the defaults in its dialog code (editor/nodes/).
 */
function fieldsOf(type: string): string[] {
  const spec = NODE_SPECS[type];
  if (spec) return Object.keys(spec.defaults);
  const code = fs.readFileSync(path.join(EDITOR_NODES_DIR, `${type.replace(/^tradebot-/, '')}.ts`), 'utf8');
  const at = code.indexOf('{', code.indexOf('defaults:'));
  const keys: string[] = [];
  let depth = 0;
  const token = /[{}]|\n\s*([A-Za-z_]\w*)\s*:/g;
  token.lastIndex = at;
  for (let m = token.exec(code); m; m = token.exec(code)) {
    if (m[0] === '{') depth++;
    else if (m[0] === '}') {
      if (--depth === 0) break;
    } else if (depth === 1) keys.push(m[1]!);
  }
  assert.ok(keys.length > 1, `fields of ${type}`);
  return keys;
}

const exchange: FlowNode = { id: 'ex', type: 'tradebot-exchange', mode: 'sim', simSeed: 1, simSpeed: 60, simBalances: 'USDT=1000' };
const bot: FlowNode = { id: 'bot', type: 'tradebot-telegram', apiBase: 'http://127.0.0.1:9', allowedChats: '1' };
const redis: FlowNode = { id: 'rd', type: 'tradebot-redis', url: 'redis://127.0.0.1:9', db: 0 };

/** A valid node of each type, and the config nodes it needs. */
const SUBJECTS: Array<{ node: FlowNode; needs: FlowNode[] }> = [
  { node: { id: 'n', type: 'tradebot-ticker', exchange: 'ex', symbols: 'BTC/USDT', interval: 1000, websocket: false }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-order-book', exchange: 'ex', symbols: 'BTC/USDT', depth: 5, interval: 1000, websocket: false }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-candles', exchange: 'ex', source: 'exchange', symbols: 'BTC/USDT', timeframe: '1m', warmup: 5, interval: 1000 }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-indicator', indicators: [{ name: 'sma', type: 'sma', period: 5 }] }, needs: [] },
  { node: { id: 'n', type: 'tradebot-strategy', strategy: 'maCross', maType: 'ema', fastPeriod: 3, slowPeriod: 5 }, needs: [] },
  { node: { id: 'n', type: 'tradebot-risk-gate', exchange: 'ex', sizing: 'quote', quoteAmount: 100 }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-place-order', exchange: 'ex', currency: 'USDT' }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-notifier', channel: 'none' }, needs: [bot] },
  { node: { id: 'n', type: 'tradebot-telegram-control', telegram: 'bot', currency: 'USDT', pollSeconds: 25 }, needs: [bot] },
  { node: { id: 'n', type: 'tradebot-backtest', exchange: 'ex' }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-stream-out', redis: 'rd', key: 'k', maxLen: 10 }, needs: [redis] },
  { node: { id: 'n', type: 'tradebot-stream-ack', redis: 'rd' }, needs: [redis] },
  { node: { id: 'n', type: 'tradebot-stream-in', redis: 'rd', key: 'k', group: 'g' }, needs: [redis] },
  { node: { id: 'n', type: 'tradebot-journal', exchange: 'ex', query: 'trades', limit: '10' }, needs: [exchange] },
  { node: { id: 'n', type: 'tradebot-pairlist', exchange: 'ex', quote: 'USDT', count: 2, refresh: 60 }, needs: [exchange] },
  // A config node: nothing connects until an exchange node's journal writes, so no server is needed.
  { node: { id: 'n', type: 'tradebot-database', url: 'postgres://127.0.0.1:9/tradebot', schema: 'tb' }, needs: [] },
];

async function load(nodes: FlowNode[]): Promise<void> {
  const onTab = [...nodes, { id: 'catcher', type: 'catch', scope: null, wires: [['caught']] }, { id: 'caught', type: 'helper' }].map((n) =>
    CONFIG_TYPES.includes(n.type) ? n : { ...n, z: TAB },
  );
  await helper.load([...tradebotNodes, backtestNode, catchNode] as any, [{ id: TAB, type: 'tab', label: 'fuzz' }, ...onTab] as any);
}

describe('no node constructor throws: every field of every node type set to a wrong kind of value', function () {
  this.timeout(300_000);
  afterEach(() => helper.unload());

  for (const subject of SUBJECTS) {
    it(subject.node.type, async () => {
      const problems: string[] = [];
      for (const field of fieldsOf(subject.node.type)) {
        for (const value of WEIRD) {
          await load([...subject.needs, { ...subject.node, [field]: value }]);
          const node = helper.getNode('n');
          if (!node) problems.push(`${field} = ${JSON.stringify(value)}: the node is missing from the flow`);
          await helper.unload();
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  for (const config of [exchange, bot, redis]) {
    it(`${config.type} (config node)`, async () => {
      const consumer =
        config.type === 'tradebot-exchange'
          ? { id: 'n', type: 'tradebot-place-order', exchange: 'ex' }
          : config.type === 'tradebot-telegram'
            ? { id: 'n', type: 'tradebot-notifier', channel: 'telegram', telegram: 'bot', chatId: '1' }
            : { id: 'n', type: 'tradebot-stream-out', redis: 'rd', key: 'k' };
      const problems: string[] = [];
      for (const field of fieldsOf(config.type)) {
        for (const value of WEIRD) {
          await load([{ ...config, [field]: value }, consumer]);
          if (!helper.getNode(config.id)) problems.push(`${field} = ${JSON.stringify(value)}: the config node is missing`);
          if (!helper.getNode('n')) problems.push(`${field} = ${JSON.stringify(value)}: the node using it is missing`);
          await helper.unload();
        }
      }
      assert.deepEqual(problems, []);
    });
  }
});
