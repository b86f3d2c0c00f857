/**
 * tradebot-indicator (palette: indicator): several indicators over incoming candles, with state
 * per exchange + symbol + timeframe. Values ride along in msg.indicators.<name>; the candle stays
 * in msg.payload. Glue only: the math is in core/indicators.
 */
import { parseCandle } from '../../core/contract';
import { IndicatorSet, type NamedIndicatorSpec } from '../../core/indicators/indicator-set';
import { resetRequest } from '../shared/reset';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';
import { registerTradebotNode } from '../shared/node-harness';

interface IndicatorNodeDef extends NodeDef {
  indicators: Array<Record<string, unknown> & { name: string }>;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(+value.toPrecision(6));
  if (value && typeof value === 'object') {
    const first = Object.entries(value)[0];
    return first ? `${first[0]} ${describe(first[1])}` : '';
  }
  return String(value);
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<IndicatorNodeDef>(RED, 'tradebot-indicator', (kit, config) => {
    const { node } = kit;
    const status = kit.status;
    if (config.indicators !== undefined && !Array.isArray(config.indicators)) throw new Error('indicators: must be a list of indicators');
    const specs: NamedIndicatorSpec[] = (config.indicators ?? []).map(({ name, ...spec }) => ({ name, spec }));
    const set = new IndicatorSet(specs);
    node.status({});

    kit.onInput((msg, send) => {
      const reset = resetRequest(msg);
      if (reset) {
        const n = set.reset(reset.symbol);
        status.now(statusFor('stopped', `reset ${reset.symbol ?? 'all'} (${n} series)`));
        return;
      }
      const candle = parseCandle(msg.payload, 'msg.payload');
      const { values, pending } = set.update(candle);
      // `values` is new for every candle and kept by nobody: it becomes msg.indicators as it is
      // unless indicators from an earlier node are to be kept.
      const earlier = msg.indicators;
      msg.indicators = earlier && typeof earlier === 'object' ? { ...earlier, ...values } : values;
      if (hasKeys(pending)) msg.indicatorsPending = pending;
      else delete msg.indicatorsPending;
      send(msg);
      status.update(() => {
        const [name, needed] = Object.entries(pending)[0] ?? [];
        return name
          ? statusFor('connecting', `${candle.symbol} warming up: ${name} needs ${needed} more`)
          : statusFor('live', `${candle.symbol} ${Object.entries(values).slice(0, 2).map(([n, v]) => `${n} ${describe(v)}`).join(', ')}`);
      });
    });
  });
};
