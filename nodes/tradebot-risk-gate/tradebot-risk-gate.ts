/**
 * tradebot-risk-gate (palette: risk gate): signals in; sized order requests out on output 1,
 * rejections with a reason code and a sentence on output 2. msg.topic "kill" / "resume" is the
 * kill switch (no new entries; exits pass), "reset" re-arms a tripped drawdown breaker,
 * "forceExit" with {symbol} or {all: true} sends market sells closing held positions. A breaker
 * that trips sends its message on output 2 and, set to "flatten", force-exits everything.
 * Glue only: core/risk decides.
 */
import { formatAmount } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import { describeZodError, SignalSchema, zodError } from '../../core/contract';
import { initialRiskState, RiskGate, type RiskState } from '../../core/risk/risk-gate';
import { riskSettingsOfNode } from '../../core/risk/node-config';
import { flattenAfterTrips, forceExitRequests, parseForceExitTarget, type ForceExitTarget } from '../../core/risk/force-exit';
import { forceExitEvent, killSwitchEvent } from '../../core/risk/lifecycle-events';
import { journaling, journalSent } from '../shared/journal-sent';
import type { OrderRequest } from '../../core/contract';
import { decideSignal } from '../../core/risk/signal-decision';
import type { RiskControl } from '../../core/sessions';
import { sessionOf } from '../shared/exchange-node';
import { StatusThrottle } from '../shared/status';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';
import { instrument } from '../shared/instrument';
import { setUpNode } from '../shared/config-error';
import { followStateStore } from '../shared/store-status';

type RiskNodeDef = NodeDef & Record<string, unknown> & { exchange: string; tradingDays?: string | number[] };

export = function register(RED: NodeAPI): void {
  function TradebotRiskGateNode(this: Node, config: RiskNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/config-error.ts).
    setUpNode(RED, node, () => {
      const { session: found, error } = sessionOf(RED, config.exchange);
      if (error) throw error;
      const session = found!;
      const settings = riskSettingsOfNode(config);
      const status = new StatusThrottle((s) => node.status(s));
      followStateStore(RED, node, config.exchange, status);
      let gate: RiskGate | undefined;
      const stateKey = `tradebot:risk:${node.id}`;
      let loading: Promise<void> | undefined;
      /**
       * The gate's saved state, loaded once. With the state store down (Redis) the load fails: the
       * node says so, and the next message (or kill switch) tries again, so the gate comes up by
       * itself once the store is back. Never a rejection nobody handles: it would stop Node-RED.
       */
      function loaded(): Promise<void> {
        loading ??= session.stateStore.get<RiskState>(stateKey).then(
          (saved) => {
            gate = new RiskGate(settings, saved ?? initialRiskState());
            session.riskControls.add(control);
            showState();
          },
          (err: Error) => {
            loading = undefined;
            status.now({ fill: 'red', shape: 'ring', text: 'state store unavailable: retrying on the next signal' });
            throw new Error(`the risk gate's state could not be loaded from the state store (${err.message})`);
          },
        );
        return loading;
      }
      loaded().catch(() => undefined);

      function showState(): void {
        if (!gate) return;
        if (gate.state.killed) status.now({ fill: 'red', shape: 'dot', text: 'KILL SWITCH ON: no new entries' });
        else if (gate.state.breaker.tripped) status.now({ fill: 'red', shape: 'dot', text: 'drawdown breaker tripped' });
        else status.now({ fill: 'green', shape: 'ring', text: 'armed' });
      }
      // A fresh snapshot per write (the store keeps what it is given).
      const save = () => session.stateStore.set(stateKey, { ...gate!.state, breaker: { ...gate!.state.breaker }, approved: gate!.state.approved.slice() });

      /** The market sells of a force exit, from the account's portfolio as it is now. */
      async function forceExits(target: ForceExitTarget, where: string, reason = 'force exit', exclude?: string[]): Promise<OrderRequest[]> {
        const account = await session.account();
        const source = await session.source();
        return forceExitRequests(target, { portfolio: account.portfolio, markets: await source.loadMarkets(), exchange: session.exchangeName, now: source.now(), reason, exclude, finished: (id) => account.finished(id) }, where);
      }
      const orderMessages = (requests: OrderRequest[], base: Record<string, unknown> = {}) => requests.map((r) => ({ ...base, topic: r.symbol, payload: r }));
      /** Where lifecycle events happen: this exchange, its mode, its clock. */
      const eventPlace = async () => ({ exchange: session.exchangeName, mode: session.mode, ts: (await session.source()).now() });
      // Kill switch and force exits go out on output 2 (with the rejections) for the notifier.
      const killSwitchMessage = async (event: 'kill' | 'resume') => ({ topic: event, payload: killSwitchEvent(event, await eventPlace()) });
      const forceExitMessage = async (target: ForceExitTarget, requests: OrderRequest[]) => ({ topic: 'forceExit', payload: forceExitEvent(target, requests, await eventPlace()) });
      const showForceExit = (requests: OrderRequest[]) =>
        status.now({ fill: 'yellow', shape: 'dot', text: requests.length ? `force exit: ${requests.map((r) => r.symbol).join(', ')}` : 'force exit: no position to close' });

      // What the control sends goes to the journal too.
      const sendFromControl = journaling(() => session.journal, (out: unknown) => node.send(out as any));
      // How the Telegram control node (and health) reach this gate's kill switch and force exit.
      const control: RiskControl = {
        get killed() {
          return gate?.state.killed ?? false;
        },
        get breakerTripped() {
          return gate?.state.breaker.tripped ?? false;
        },
        async kill() {
          await loaded();
          gate!.kill();
          await save();
          showState();
          sendFromControl([null, await killSwitchMessage('kill')]);
        },
        async resume() {
          await loaded();
          gate!.resume();
          await save();
          showState();
          sendFromControl([null, await killSwitchMessage('resume')]);
        },
        async forceExit(target: unknown, field = 'msg.payload') {
          await loaded();
          const parsedTarget = parseForceExitTarget(target, field);
          const requests = await forceExits(parsedTarget, field);
          sendFromControl([requests.length ? orderMessages(requests) : null, await forceExitMessage(parsedTarget, requests)]);
          showForceExit(requests);
          return requests.map((r) => ({ symbol: r.symbol, amount: r.amount, clientOrderId: r.clientOrderId }));
        },
      };
      node.on('close', () => {
        session.riskControls.delete(control);
        status.clear();
      });

      node.on('input', (msg: NodeMessageInFlow & Record<string, any>, sendOut: SendFn, done: DoneFn) => {
        // Everything the gate sends (approvals, rejections, its lifecycle events) goes to the journal too.
        const send = journaling(() => session.journal, sendOut);
        (async () => {
          const command = msg.topic === 'kill' || msg.topic === 'resume' || msg.topic === 'reset' || msg.topic === 'forceExit';
          try {
            await loaded();
          } catch (err) {
            // A command that cannot be kept must be loud; a signal is refused like any other.
            if (command) throw err;
            const p = (msg.payload && typeof msg.payload === 'object' ? msg.payload : {}) as Record<string, unknown>;
            const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
            const side = p.side === 'buy' || p.side === 'sell' ? p.side : undefined;
            const reason = `${(err as Error).message}: signal not approved`;
            send([null, { ...msg, payload: { kind: 'rejection', code: 'STATE_STORE_DOWN', reason, symbol: text(p.symbol), side, signalId: text(p.id), ts: Date.now() } }]);
            return;
          }
          const g = gate!;
          if (msg.topic === 'forceExit') {
            // Bad input throws (done(err), a Catch sees it) before anything is sent.
            const target = parseForceExitTarget(msg.payload);
            const requests = await forceExits(target, 'msg.payload');
            send([requests.length ? orderMessages(requests, msg) : null, { ...msg, ...(await forceExitMessage(target, requests)) }]);
            showForceExit(requests);
            return;
          }
          if (command) {
            if (msg.topic === 'kill') g.kill();
            else if (msg.topic === 'resume') g.resume();
            else g.resetBreaker((await session.account()).portfolio);
            await save();
            showState();
            if (msg.topic === 'kill' || msg.topic === 'resume') send([null, { ...msg, ...(await killSwitchMessage(msg.topic)) }]);
            return;
          }
          const parsed = SignalSchema.safeParse(msg.payload);
          if (!parsed.success) {
            const reason = describeZodError(parsed.error, 'msg.payload');
            send([null, { ...msg, payload: { kind: 'rejection', code: 'INVALID_INPUT', reason, ts: Date.now() } }]);
            throw zodError(parsed.error, 'msg.payload');
          }
          const signal = parsed.data;
          journalSent(session.journal, { payload: signal });
          const account = await session.account();
          const source = await session.source();
          const markets = await source.loadMarkets();
          const decision = await decideSignal(g, signal, { session, account, markets, now: () => source.now(), indicators: msg.indicators });
          if ('rejection' in decision) {
            send([null, { ...msg, ...(decision.rejection.code === 'WRONG_EXCHANGE' ? {} : { topic: signal.symbol }), payload: decision.rejection }]);
            if (decision.error) throw decision.error;
            return;
          }
          const { outcome } = decision;
          try {
            await save();
          } catch (err) {
            // An approval nobody could save must not stand: the signal is refused now and may trade later.
            if ('request' in outcome) g.unapprove(signal.id);
            const reason = `state store unavailable (${(err as Error).message}): signal not approved`;
            send([null, { ...msg, topic: signal.symbol, payload: { kind: 'rejection', code: 'STATE_STORE_DOWN', reason, symbol: signal.symbol, side: signal.side, signalId: signal.id, ts: signal.ts } }]);
            return;
          }
          // A breaker that tripped here: its message goes out (the notifier's), and "flatten" closes
          // every position but the one this signal's own sell is already closing.
          const trips = outcome.trips ?? [];
          const tripMessages = trips.map((t) => ({ ...msg, topic: signal.symbol, payload: t }));
          const flatten = flattenAfterTrips(outcome);
          const flattenOrders = flatten ? await forceExits({ all: true }, 'msg.payload', flatten.reason, flatten.exclude) : [];
          const flattenMessages = orderMessages(flattenOrders, msg);
          if ('request' in outcome) {
            send([[{ ...msg, topic: signal.symbol, payload: outcome.request }, ...flattenMessages], tripMessages.length ? tripMessages : null]);
            status.update(() => ({ fill: 'green', shape: 'dot', text: `${signal.side} ${formatAmount(outcome.request.amount, marketSteps(signal.exchange, signal.symbol).amountStep)} ${signal.symbol}` }));
            if (trips.length) showState();
          } else {
            send([flattenMessages.length ? flattenMessages : null, [{ ...msg, topic: signal.symbol, payload: outcome.rejection }, ...tripMessages]]);
            if (outcome.rejection.code === 'DRAWDOWN_BREAKER' || trips.length) showState();
            else status.update(() => ({ fill: 'yellow', shape: 'ring', text: `${outcome.rejection.code}: ${signal.symbol}` }));
          }
        })().then(
          () => done(),
          (err) => done(err instanceof Error ? err : new Error(String(err))),
        );
      });
    });
  }

  RED.nodes.registerType('tradebot-risk-gate', TradebotRiskGateNode as any);
};
