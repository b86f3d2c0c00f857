/**
 * Each node's spec (nodes/<node>/spec.ts) against the runtime: the editor's defaults pass the
 * runtime's parse, and a value the editor refuses is refused by the runtime too, the editor's
 * message starting with the field's label as the dialog shows it. The runtime parses here are the
 * core calls the node files make.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { numberSetting, pollIntervalSetting } from '../../core/setting-values';
import { parseSymbolList } from '../../core/market/symbol-list';
import { timeframeToMs } from '../../core/timeframe';
import { parseStrategySettings } from '../../core/strategies/settings';
import { STRATEGY_KINDS } from '../../core/strategies/setting-ranges';
import { IndicatorSet } from '../../core/indicators/indicator-set';
import { INDICATOR_DEFAULTS, INDICATOR_TYPES } from '../../core/indicators/kinds';
import { specErrors, type FieldSpec, type NodeSpec } from '../../nodes/shared/spec';
import { expandFormRows } from '../../editor/shared/form-rows';
import { tickerSpec } from '../../nodes/tradebot-ticker/spec';
import { orderBookSpec, DEPTH_RULE } from '../../nodes/tradebot-order-book/spec';
import { candlesSpec, WARMUP_RULE } from '../../nodes/tradebot-candles/spec';
import { strategySpec } from '../../nodes/tradebot-strategy/spec';
import { indicatorSpec } from '../../nodes/tradebot-indicator/spec';
import { parseStreamInSettings, parseStreamOutSettings } from '../../core/redis/streams';
import { currencySetting } from '../../core/setting-values';
import { parseChatIds } from '../../core/notify/settings';
import { parsePollSeconds } from '../../core/notify/telegram-poller';
import { configuredQuery } from '../../core/journal/query-input';
import { parseDatabaseSettings } from '../../core/journal/database-settings';
import { streamOutSpec } from '../../nodes/tradebot-stream-out/spec';
import { streamInSpec } from '../../nodes/tradebot-stream-in/spec';
import { streamAckSpec } from '../../nodes/tradebot-stream-ack/spec';
import { placeOrderSpec } from '../../nodes/tradebot-place-order/spec';
import { telegramSpec } from '../../nodes/tradebot-telegram/spec';
import { telegramControlSpec } from '../../nodes/tradebot-telegram-control/spec';
import { journalSpec } from '../../nodes/tradebot-journal/spec';
import { databaseSpec } from '../../nodes/tradebot-database/spec';
import { backtestSpec } from '../../nodes/tradebot-backtest/spec';
import { exchangeSpec, settingsFromEditor } from '../../nodes/tradebot-exchange/spec';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { notifierSpec } from '../../nodes/tradebot-notifier/spec';
import { checkChatId, parseNotifierConfig } from '../../core/notify/settings';
import { riskGateSpec } from '../../nodes/tradebot-risk-gate/spec';
import { riskSettingsOfNode } from '../../core/risk/node-config';
import { parseApprovalSettings } from '../../core/risk/approval-settings';

const ROOT = path.join(__dirname, '..', '..', '..');

type Config = Record<string, unknown>;
interface Case {
  spec: NodeSpec<any>;
  /** What the node file does with its config at deploy (throws on a bad setting). */
  runtime(config: Config): unknown;
  /** Settings the editor refuses: [field, value, extra settings]. */
  bad: Array<[string, unknown, Config?]>;
}

const CASES: Case[] = [
  {
    spec: tickerSpec,
    runtime: (c) => (parseSymbolList(c.symbols as string), pollIntervalSetting(c.interval)),
    bad: [['symbols', 'BTCUSDT'], ['symbols', ' , '], ['interval', 0], ['interval', -5], ['interval', 'soon'], ['interval', 86_400_001]],
  },
  {
    spec: orderBookSpec,
    runtime: (c) => (parseSymbolList(c.symbols as string), numberSetting(c.depth, 'depth', DEPTH_RULE), pollIntervalSetting(c.interval)),
    bad: [['symbols', 'BTC-USDT'], ['depth', 0], ['depth', 2.5], ['depth', 1001], ['interval', 0]],
  },
  {
    spec: candlesSpec,
    runtime: (c) => (timeframeToMs(String(c.timeframe)), c.source === 'ticks' || (parseSymbolList(c.symbols as string), numberSetting(c.warmup, 'warmup', WARMUP_RULE), pollIntervalSetting(c.interval))),
    bad: [['symbols', 'nonsense'], ['timeframe', '5x'], ['timeframe', '0m'], ['warmup', -1], ['warmup', 5001], ['warmup', 1.5], ['interval', -1]],
  },
  {
    spec: strategySpec,
    runtime: (c) => parseStrategySettings(c),
    bad: [
      ['strategy', 'martingale'],
      ['maType', 'hma'],
      ['fastPeriod', 30],
      ['slowPeriod', 0],
      ['fastPeriod', 2.5],
      ['rsiPeriod', 10_001, { strategy: 'rsi' }],
      ['oversold', 80, { strategy: 'rsi' }],
      ['overbought', 100, { strategy: 'rsi' }],
      ['bbStdDev', 11, { strategy: 'bollingerStochRsi' }],
      ['stochOverbought', 10, { strategy: 'bollingerStochRsi' }],
      ['macdFast', 40, { strategy: 'macdCross' }],
      ['fvgMinGapPct', -1, { strategy: 'fvg' }],
      ['fvgMinGapPct', 100, { strategy: 'fvg' }],
      ['entryRules', [{ left: 'rsi 14', op: '<', right: '30' }], { strategy: 'rules' }],
      ['entryRules', [], { strategy: 'rules', exitRules: [] }],
      ['exitFraction', 1.5, { strategy: 'rules' }],
      ['members', [{ strategy: 'a', weight: 1 }, { strategy: 'a', weight: 1 }], { strategy: 'decision' }],
      ['members', [{ strategy: 'a', weight: 0 }], { strategy: 'decision' }],
      ['windowSeconds', 0, { strategy: 'decision', members: [{ strategy: 'a', weight: 1 }] }],
      ['threshold', 1.5, { strategy: 'decision', policy: 'weighted', members: [{ strategy: 'a', weight: 1 }] }],
    ],
  },
  {
    spec: indicatorSpec,
    runtime: (c) => new IndicatorSet((c.indicators as Array<Config & { name: string }>).map(({ name, ...spec }) => ({ name, spec }))),
    bad: [
      ['indicators', []],
      ['indicators', [{ name: '1st', type: 'rsi', period: 14, src: 'close' }]],
      ['indicators', [{ name: 'a', type: 'rsi' }, { name: 'a', type: 'ema' }]],
      ['indicators', [{ name: 'x', type: 'hma', period: 14 }]],
      ['indicators', [{ name: 'x', type: 'rsi', period: 0 }]],
      ['indicators', [{ name: 'x', type: 'bollinger', stdDev: 11 }]],
      ['indicators', [{ name: 'x', type: 'macd', fast: 30, slow: 26 }]],
      ['indicators', [{ name: 'x', type: 'sma', src: 'median' }]],
    ],
  },
  {
    spec: streamOutSpec,
    runtime: (c) => parseStreamOutSettings({ key: c.key, maxLen: c.maxLen }),
    bad: [['key', 'my stream'], ['key', ''], ['maxLen', -1], ['maxLen', 2.5], ['maxLen', 2e9]],
  },
  {
    spec: streamInSpec,
    runtime: (c) => parseStreamInSettings({ key: c.key, group: c.group, consumer: c.consumer, start: c.start, batch: c.batch, claimAfterSec: c.claimAfterSec, maxDeliveries: c.maxDeliveries, deadLetter: c.deadLetter }),
    bad: [['key', 'a b'], ['group', 'x y'], ['consumer', 'me too'], ['batch', 0], ['batch', 10_001], ['claimAfterSec', 0.05], ['maxDeliveries', 1.5]],
  },
  { spec: streamAckSpec, runtime: () => undefined, bad: [] },
  { spec: backtestSpec, runtime: () => undefined, bad: [] },
  {
    spec: riskGateSpec,
    runtime: (c) => (riskSettingsOfNode(c), parseApprovalSettings(c)),
    bad: [
      ['sizing', 'martingale'],
      ['sizing', 'riskPct', { riskPct: 1 }],
      ['quoteAmount', ''],
      ['quoteAmount', -5],
      ['equityPct', '', { sizing: 'equityPct' }],
      ['equityPct', 101, { sizing: 'equityPct' }],
      ['riskPct', '', { sizing: 'riskPct', stopMode: 'pct', stopPct: 2 }],
      ['accountCurrency', ''],
      ['stopMode', 'sometimes'],
      ['stopPct', '', { stopMode: 'pct' }],
      ['stopPct', 150],
      ['atrMultiple', '', { stopMode: 'atr' }],
      ['takeProfitPct', 0],
      ['takeProfitPct', 3, { takeProfitLadder: '50@2, 50@4' }],
      ['takeProfitLadder', '50@2, 40@4'],
      ['takeProfitLadder', '50@4, 50@2'],
      ['takeProfitLadder', 'half at two'],
      ['trailingPct', 120],
      ['orderType', 'stop'],
      ['limitOffsetPct', 11],
      ['limitTimeoutSec', 0.5],
      ['maxOpenPositions', 1.5],
      ['maxExposurePerSymbol', -1],
      ['maxExposureTotal', 'lots'],
      ['cooldownSec', -3],
      ['cooldownAfterLossSec', 'x'],
      ['dailyLossLimit', -1],
      ['maxDrawdownPct', 101],
      ['drawdownAction', 'flatten'],
      ['dailyLossAction', 'panic'],
      ['tradingDays', '1,2,9'],
      ['tradingFrom', '25:00', { tradingTo: '10:00' }],
      ['tradingFrom', '09:00'],
      ['tradingTo', '7pm', { tradingFrom: '09:00' }],
      ['timezone', 'Mars/Olympus'],
      ['approvalTimeoutSec', 5, { askFirst: true }],
      ['approvalTimeoutSec', 86_401, { askFirst: true }],
      ['approvalTimeoutSec', 12.5, { askFirst: true }],
    ],
  },
  { spec: placeOrderSpec, runtime: (c) => currencySetting(c.currency, 'currency'), bad: [['currency', 'US DOLLAR'], ['currency', '€']] },
  { spec: telegramSpec, runtime: (c) => parseChatIds(c.allowedChats as string), bad: [['allowedChats', '123, @me'], ['allowedChats', '12.5']] },
  {
    spec: telegramControlSpec,
    runtime: (c) => (currencySetting(c.currency, 'currency'), parsePollSeconds(c.pollSeconds)),
    bad: [['currency', 'U$D'], ['pollSeconds', 0], ['pollSeconds', 51], ['pollSeconds', 2.5]],
  },
  {
    spec: journalSpec,
    runtime: (c) => configuredQuery(c as never),
    bad: [['query', 'everything'], ['limit', 0], ['limit', 10_001, { query: 'trades' }], ['days', 40_000, { query: 'profit' }], ['count', 400, { query: 'daily' }], ['symbol', 'BTC', { query: 'trades' }]],
  },
  {
    spec: databaseSpec,
    runtime: (c) => parseDatabaseSettings({ ...c, user: 'tradebot' }),
    bad: [['url', ''], ['url', 'mysql://host/db'], ['url', 'postgres://u:secret@host/db'], ['url', 'postgres://host'], ['tls', 'maybe'], ['schema', 'Trade Bot']],
  },
  {
    spec: exchangeSpec,
    // Credentials as a live account would have them, so live mode is refused for its opt-in alone.
    runtime: (c) => parseExchangeSettings(settingsFromEditor(c as never, { apiKey: 'k'.repeat(16), secret: 's'.repeat(16) })),
    bad: [
      ['mode', 'demo'],
      ['backtestSource', 'tape'],
      ['backtestSymbols', ' , ', { mode: 'backtest', backtestSource: 'exchange', backtestFrom: '2024-01-01', backtestTo: '2024-02-01' }],
      ['backtestSymbols', 'BTCUSDT', { mode: 'backtest', backtestSource: 'exchange', backtestFrom: '2024-01-01', backtestTo: '2024-02-01' }],
      ['backtestFrom', 'yesterday', { mode: 'backtest', backtestSource: 'exchange', backtestSymbols: 'BTC/USDT', backtestTo: '2024-02-01' }],
      ['backtestTo', '', { mode: 'backtest', backtestSource: 'exchange', backtestSymbols: 'BTC/USDT', backtestFrom: '2024-01-01' }],
      ['backtestTo', '2023-12-01', { mode: 'backtest', backtestSource: 'exchange', backtestSymbols: 'BTC/USDT', backtestFrom: '2024-01-01' }],
      ['backtestData', '', { mode: 'backtest' }],
      ['backtestData', 'BTC/USDT', { mode: 'backtest' }],
      ['backtestTimeframe', '5x'],
      ['backtestWarmup', -1],
      ['backtestWarmup', 1.5],
      ['exchangeId', 'Bin ance', { mode: 'paper' }],
      ['baseUrl', 'ftp://example.com'],
      ['websocket', 'sometimes'],
      ['maxNotional', 0],
      ['maxNotional', 'lots'],
      ['liveOptIn', false, { mode: 'live' }],
      ['simSeed', -1],
      ['simSeed', 2.5],
      ['simSpeed', 0],
      ['simSpeed', 100_001],
      ['simTickMs', 5],
      ['timeoutMs', 50],
      ['unknownWindowSec', 0.1],
      ['reconcileSec', 5],
      ['silentStreamSec', 0.5],
      ['simBalances', 'USDT=abc'],
      ['simBalances', 'USDT=1, usdt=2'],
      ['feeRatePct', 6],
      ['slippagePct', -1],
      ['reportCurrency', 'US DOLLAR'],
      ['journal', 'sometimes'],
      ['journalKeepDays', 1.5],
      ['journalKeepTradeDays', 40_000],
    ],
  },
  {
    spec: notifierSpec,
    // The chat id is checked when the Telegram channel is set up (the node has a bot with a token then).
    runtime: (c) => {
      const { config } = parseNotifierConfig(c);
      if (config.channel === 'telegram' && config.chatId) checkChatId(config.chatId);
    },
    bad: [
      ['channel', 'sms'],
      ['chatId', 'my group'],
      ['parseMode', 'rtf'],
      ['webhookPreset', 'teams'],
      ['kinds', 'signal'],
      ['kinds', ['signal', 'gossip']],
      ['minIntervals', { signal: -1 }],
      ['minIntervals', { order: 90_000 }],
      ['batchSeconds', 'soon'],
      ['templates', { signal: '{{#side}}buy' }],
      ['templates', { order: '{{/side}}' }],
      ['templates', { signal: 5 }],
      ['maxQueue', 0],
      ['maxQueue', 2.5],
    ],
  },
];

const defaultsOf = (spec: NodeSpec<any>): Config => Object.fromEntries(Object.entries(spec.defaults as Record<string, FieldSpec>).map(([k, f]) => [k, structuredClone(f.value)]));

/** Each field's label in a node's dialog: the text of `<label for="node-input-<prop>">` in its .html form. */
function formLabels(type: string): Record<string, string> {
  const html = fs.readFileSync(path.join(ROOT, 'nodes', type, `${type}.html`), 'utf8');
  const form = expandFormRows(/<script type="text\/html" data-template-name="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '');
  const labels: Record<string, string> = {};
  for (const m of form.matchAll(/<label[^>]*\bfor="node-(?:config-)?input-([A-Za-z0-9_]+)"[^>]*>([\s\S]*?)<\/label>/g)) {
    labels[m[1]!] = m[2]!.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
  }
  return labels;
}

describe('node specs: the editor and the runtime read the same settings', function () {
  for (const c of CASES) {
    describe(c.spec.type, function () {
      it('a new node (the spec defaults) passes the editor checks and the runtime parse', function () {
        const config = defaultsOf(c.spec);
        assert.deepEqual(specErrors(c.spec, config), []);
        assert.doesNotThrow(() => c.runtime(config));
      });

      it('each value the editor refuses, the runtime refuses too; the editor says it in the dialog words', function () {
        const labels = formLabels(c.spec.type);
        for (const [prop, value, extra] of c.bad) {
          const config = { ...defaultsOf(c.spec), ...extra, [prop]: value };
          const errors = specErrors(c.spec, config);
          assert.ok(errors.length > 0, `${prop} = ${JSON.stringify(value)}: the editor accepts it`);
          assert.throws(() => c.runtime(config), Error, `${prop} = ${JSON.stringify(value)}: the runtime accepts it`);
          const field = (c.spec.defaults as Record<string, FieldSpec>)[prop]!;
          // A field with a label of its own in the form is named by it; a sub-field by the words of its row.
          const label = field.label ?? labels[prop];
          if (label) assert.ok(errors.some((e) => e.startsWith(label)), `${prop}: ${JSON.stringify(errors)} does not start with "${label}"`);
          // Else a sentence of the dialog, or one that starts with the list row it is about ("indicator 2: …", "rsi14: …").
          else assert.ok(errors.every((e) => /^([A-Z"%]|[\w ]+( \(\w+\))?: )/.test(e)), `${prop}: ${JSON.stringify(errors)} is not a sentence of the dialog`);
        }
      });

      it('every label the spec gives a field with its own row in the form is that row’s label', function () {
        const labels = formLabels(c.spec.type);
        for (const [prop, field] of Object.entries(c.spec.defaults as Record<string, FieldSpec>)) {
          // Rows with two inputs name the second (and sometimes the first) by the word before it: "fast", "slow".
          if (field.label && labels[prop] && !/^(Periods|Levels|Bollinger|StochRSI|MACD)$/.test(labels[prop]!)) assert.equal(field.label, labels[prop], prop);
        }
      });
    });
  }

  it('every strategy kind: its defaults pass the editor checks and the runtime parse (a decision maker needs its members named in both)', function () {
    for (const kind of STRATEGY_KINDS) {
      const config: Config = { ...defaultsOf(strategySpec), strategy: kind };
      if (kind === 'decision') {
        assert.ok(specErrors(strategySpec, config).length > 0);
        assert.throws(() => parseStrategySettings(config));
        config.members = [{ strategy: 'rsi-14-30-70', weight: 1 }];
      }
      assert.deepEqual(specErrors(strategySpec, config), [], kind);
      assert.doesNotThrow(() => parseStrategySettings(config), kind);
    }
  });

  it('every moving average the runtime takes for the MA cross, the editor takes (sma, ema, wma)', function () {
    for (const maType of ['sma', 'ema', 'wma']) {
      const config = { ...defaultsOf(strategySpec), maType };
      assert.deepEqual(specErrors(strategySpec, config), [], maType);
      const parsed = parseStrategySettings(config);
      assert.equal(parsed.strategy === 'maCross' && parsed.maType, maType);
    }
  });

  it('every indicator type with its default parameters passes the editor checks and the runtime parse', function () {
    for (const type of INDICATOR_TYPES) {
      const config = { name: '', indicators: [{ name: 'x', type, ...INDICATOR_DEFAULTS[type] }] };
      assert.deepEqual(specErrors(indicatorSpec, config), [], type);
      assert.doesNotThrow(() => indicatorSpec && new IndicatorSet([{ name: 'x', spec: { type, ...INDICATOR_DEFAULTS[type] } as never }]), type);
    }
  });
});
