/**
 * tradebot-strategy (palette: strategy): built-in strategies, the rule builder, or the decision
 * maker. Output 1: signals. Output 2: holds, when enabled. Glue only: core/strategies decides.
 */
import { formatPrice } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import { parseCandle, parseOrThrow, SignalSchema } from '../../core/contract';
import { DecisionMaker } from '../../core/strategies/decision';
import { defaultStrategyName, parseStrategySettings } from '../../core/strategies/settings';
import { contextTimeframes, StrategyRunner, strategyFactory } from '../../core/strategies/strategy-runner';
import { checkMessageTime, ImplausibleInputError } from '../../core/plausibility';
import { exchangeClock } from '../../core/sessions';
import { resetRequest } from '../shared/reset';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';
import { registerTradebotNode } from '../shared/node-harness';
import { textSetting } from '../../core/setting-values';

type StrategyNodeDef = NodeDef & Record<string, unknown> & { emitHolds?: boolean };

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<StrategyNodeDef>(RED, 'tradebot-strategy', (kit, config) => {
    const status = kit.status;
    let runner: StrategyRunner | undefined;
    let decision: DecisionMaker | undefined;
    let signals = 0;
    const settings = parseStrategySettings(config);
    const name = textSetting(config.name, 'name', '') || defaultStrategyName(settings);
    if (settings.strategy === 'decision') {
      decision = new DecisionMaker({ name, policy: settings.policy, members: settings.members, windowMs: settings.windowSeconds * 1000, threshold: settings.threshold });
    } else {
      runner = new StrategyRunner(name, strategyFactory(settings), contextTimeframes(settings));
    }

    kit.onInput((msg, send) => {
      const reset = resetRequest(msg);
      if (reset) {
        runner?.reset(reset.symbol);
        decision?.reset(reset.symbol);
        status.now(statusFor('stopped', `reset ${reset.symbol ?? 'all'}`));
        return;
      }
      const outcome = decision
        ? decision.onSignal(plausibleSignal(parseOrThrow(SignalSchema, msg.payload, 'msg.payload')))
        : runner!.onCandle(
            parseCandle(msg.payload, 'msg.payload'),
            msg.indicators && typeof msg.indicators === 'object' ? msg.indicators : {},
            msg.warmup === true,
          );
      if ('signal' in outcome) {
        signals++;
        const s = outcome.signal;
        // The message carries on (msg.indicators included: the risk gate reads ATR from it); the payload becomes the signal.
        send([{ ...msg, topic: s.symbol, payload: s }, null]);
        status.update(() => statusFor('live', `${s.side} ${s.symbol} @ ${formatPrice(s.price, marketSteps(s.exchange, s.symbol).tickSize)} (${signals} signals)`));
      } else {
        if (config.emitHolds === true) send([null, { topic: outcome.hold.symbol, payload: outcome.hold }]);
        // Read only when the status is sent: the hold's text is made then.
        status.update(() => statusFor('polling', `${outcome.hold.symbol} hold: ${outcome.hold.reason}`.slice(0, 60)));
      }
    });
  });
};

/** A member's signal from the future would hold the decision window: refused before it counts. */
function plausibleSignal<T extends { ts: number; exchange: string }>(signal: T): T {
  const implausible = checkMessageTime('msg.payload.ts', signal.ts, exchangeClock(signal.exchange) ?? Date.now(), null);
  if (implausible) throw new ImplausibleInputError(implausible);
  return signal;
}
