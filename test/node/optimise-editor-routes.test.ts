/**
 * What the backtest node's Optimise tab asks the runtime (nodes/tradebot-backtest/optimise-routes.ts),
 * in the real Node-RED runtime with the backtest node registered: every tunable setting per node
 * type, and the settings of one node as the editor holds it (its strategy's own, its indicator rows,
 * its numeric rule operands), with a sentence naming the field for a bad request; the results
 * page's 404 and its script.
 */
import assert from 'node:assert/strict';
import backtestNode from '../../nodes/tradebot-backtest/tradebot-backtest';
import { helper, tradebotNodes } from '../support/node-red';

describe('optimise editor routes (tradebot/optimise/tunable)', function () {
  before(async function () {
    await helper.load([...tradebotNodes, backtestNode] as any, [{ id: 't1', type: 'tab', label: 'test' }]);
  });
  after(async function () {
    await helper.unload();
  });

  it('GET lists the tunable settings of each node type, list settings with <i>', async function () {
    const res = await helper.request().get('/tradebot/optimise/tunable').expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), ['tradebot-indicator', 'tradebot-risk-gate', 'tradebot-strategy']);
    assert.ok(res.body['tradebot-strategy'].includes('fastPeriod'));
    assert.ok(res.body['tradebot-strategy'].includes('entryRules.<i>.right'));
    assert.ok(res.body['tradebot-indicator'].includes('indicators.<i>.period'));
    assert.ok(res.body['tradebot-risk-gate'].includes('stopPct'));
  });

  it("POST answers one node's settings as the editor holds it, indexes filled in", async function () {
    const post = (body: unknown) => helper.request().post('/tradebot/optimise/tunable').send(body as object);
    const maCross = await post({ type: 'tradebot-strategy', config: { strategy: 'maCross' } }).expect(200);
    assert.deepEqual(maCross.body, { params: ['maType', 'fastPeriod', 'slowPeriod'] });
    const rules = await post({ type: 'tradebot-strategy', config: { strategy: 'rules', entryRules: [{ left: 'rsi14', op: '<', right: '30' }], exitRules: [{ left: 'close', op: '>', right: 'ema50' }] } }).expect(200);
    assert.deepEqual(rules.body, { params: ['entryMode', 'exitMode', 'exitFraction', 'entryRules.0.right'] }, 'numeric operands only');
    const indicators = await post({ type: 'tradebot-indicator', config: { indicators: [{ name: 'ema50', type: 'ema', period: 50 }, { name: 'atr14', type: 'atr', period: 14 }] } }).expect(200);
    assert.deepEqual(indicators.body, { params: ['indicators.0.period', 'indicators.0.src', 'indicators.1.period'] });
    const gate = await post({ type: 'tradebot-risk-gate', config: {} }).expect(200);
    assert.ok(gate.body.params.includes('trailingPct'));
    assert.deepEqual((await post({ type: 'debug' }).expect(200)).body, { params: [] }, 'a node type with nothing to tune');
    const bad = await post({ config: {} }).expect(400);
    assert.equal(bad.text, 'type: must be the node type, e.g. tradebot-strategy');
    assert.equal((await post({ type: 'tradebot-strategy', config: [1] }).expect(400)).text, 'config: must be the node config as an object');
  });

  it("the results page: 404 with what to do before an optimisation; its script is served next to the report page's", async function () {
    const none = await helper.request().get('/tradebot/backtest/00000000000000ff/optimise').expect(404);
    assert.match(none.text, /has no optimisation since Node-RED started: set one up on its Optimise tab/);
    const script = await helper.request().get('/tradebot/backtest/assets/optimise-page.js').expect(200);
    assert.match(script.headers['content-type'], /javascript/);
    assert.match(script.text, /optimise\.json/);
  });
});
