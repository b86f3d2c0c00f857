/**
 * tradebot-risk-gate (palette: risk gate): signals in; sized order requests out on output 1,
 * rejections with a reason code and a sentence on output 2. msg.topic "kill" / "resume" is the
 * kill switch (no new entries; exits pass), "reset" re-arms a tripped drawdown breaker,
 * "forceExit" with {symbol} or {all: true} sends market sells closing held positions. A breaker
 * that trips sends its message on output 2 and, set to "flatten", force-exits everything.
 * Ask first holds each approved entry until a person approves it (output 3, Telegram, topic
 * "approve" / "reject"; ask-first.ts). Glue only: core/risk decides.
 */
import { formatAmount } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import { riskSettingsOfNode } from '../../core/risk/node-config';
import { flattenAfterTrips, forceExitRequests, parseForceExitTarget, type ForceExitTarget } from '../../core/risk/force-exit';
import { forceExitEvent, killSwitchEvent } from '../../core/risk/lifecycle-events';
import { StoredRiskGate } from '../../core/risk/stored-gate';
import { parseApprovalSettings } from '../../core/risk/approval-settings';
import { answeredId } from '../../core/risk/approval';
import type { TelegramConfigNode } from '../shared/telegram-config';
import { AskFirst } from './ask-first';
import { flowsStarted } from '../shared/flows-started';
import { journaling, journalSent } from '../shared/journal-sent';
import type { OrderRequest } from '../../core/contract';
import type { RiskControl } from '../../core/sessions';
import { registerTradebotNode } from '../shared/node-harness';
import type { NodeAPI, NodeDef } from '../shared/types';
import { followStateStore } from '../shared/store-status';

type RiskNodeDef = NodeDef & Record<string, unknown> & { exchange: string; tradingDays?: string | number[] };

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<RiskNodeDef>(RED, 'tradebot-risk-gate', (kit, config) => {
    const { node } = kit;
    const session = kit.exchange(config.exchange);
    const settings = riskSettingsOfNode(config);
    const approval = parseApprovalSettings(config as { askFirst?: unknown; approvalTimeoutSec?: unknown });
    // A bot picked on the Ask first tab; a broken one is this node's configuration error.
    const bot = config.telegram ? (kit.configNode<TelegramConfigNode>(config.telegram as string) ?? undefined) : undefined;
    if (bot?.configError) throw new Error(`telegram: ${bot.configError}`);
    // A backtest has nobody to ask: there ask first holds nothing (docs/nodes/tradebot-risk-gate.md).
    const askFirst = approval.askFirst && session.mode !== 'backtest';
    if (askFirst && bot?.token && !bot.allowedChats.length) node.warn('ask first: the Telegram bot has no allowed chats; questions go out on output 3 only');
    const status = kit.status;
    followStateStore(RED, node, config.exchange, status);
    // The gate's state in the exchange's state store, loaded once, retried while the store is down (core/risk/stored-gate.ts).
    const gate = new StoredRiskGate(settings, session, `tradebot:risk:${node.id}`, {
      loaded: () => {
        session.riskControls.add(control);
        showState();
        asking.check();
      },
      loadFailed: () => status.now({ fill: 'red', shape: 'ring', text: 'state store unavailable: retrying on the next signal' }),
    });
    // What the control and ask first send goes to the journal too.
    const sendFromControl = journaling(() => session.journal, (out: unknown) => node.send(out as any));
    const asking = new AskFirst({
      gate,
      bot,
      send: sendFromControl,
      warn: (text) => node.warn(text),
      log: (text) => node.log(text),
      changed: () => showState(),
      flowsStarted: flowsStarted(RED),
    });
    node.on('close', (_removed: boolean, done: () => void) => {
      asking.close().finally(done);
    });
    asking.start();
    // Start loading the saved state now; a failure is reported by the loadFailed hook (status and
    // log) and tried again on the next signal, so the rejection itself is not needed here.
    gate.load().catch(() => undefined);

    function showState(): void {
      if (!gate.state) return;
      const waiting = gate.held.length;
      if (gate.killed) status.now({ fill: 'red', shape: 'dot', text: 'KILL SWITCH ON: no new entries' });
      else if (gate.breakerTripped) status.now({ fill: 'red', shape: 'dot', text: 'drawdown breaker tripped' });
      else if (waiting) status.now({ fill: 'blue', shape: 'dot', text: `waiting for approval: ${waiting}` });
      else status.now({ fill: 'green', shape: 'ring', text: askFirst ? 'armed, ask first' : 'armed' });
    }

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

    // How the Telegram control node (and health) reach this gate's kill switch and force exit.
    const control: RiskControl = {
      get killed() {
        return gate.killed;
      },
      get breakerTripped() {
        return gate.breakerTripped;
      },
      async kill() {
        await gate.kill();
        showState();
        sendFromControl([null, await killSwitchMessage('kill')]);
      },
      async resume() {
        await gate.resume();
        showState();
        sendFromControl([null, await killSwitchMessage('resume')]);
      },
      async forceExit(target: unknown, field = 'msg.payload') {
        await gate.load();
        const parsedTarget = parseForceExitTarget(target, field);
        const requests = await forceExits(parsedTarget, field);
        sendFromControl([requests.length ? orderMessages(requests) : null, await forceExitMessage(parsedTarget, requests)]);
        showForceExit(requests);
        return requests.map((r) => ({ symbol: r.symbol, amount: r.amount, clientOrderId: r.clientOrderId }));
      },
    };
    node.on('close', () => session.riskControls.delete(control));

    kit.onInput(async (msg, sendOut) => {
      // Everything the gate sends (approvals, rejections, its lifecycle events) goes to the journal too.
      const send = journaling(() => session.journal, sendOut);
      if (msg.topic === 'forceExit') {
        await gate.load();
        // Bad input throws (done(err), a Catch sees it) before anything is sent.
        const target = parseForceExitTarget(msg.payload);
        const requests = await forceExits(target, 'msg.payload');
        send([requests.length ? orderMessages(requests, msg) : null, { ...msg, ...(await forceExitMessage(target, requests)) }]);
        showForceExit(requests);
        return;
      }
      // A command that cannot be kept (the state store down) is loud: done(err).
      if (msg.topic === 'kill' || msg.topic === 'resume') {
        await (msg.topic === 'kill' ? gate.kill() : gate.resume());
        showState();
        send([null, { ...msg, ...(await killSwitchMessage(msg.topic)) }]);
        return;
      }
      // A person's answer to a held request (a dashboard button, anything): topic approve / reject, payload its clientOrderId.
      if (msg.topic === 'approve' || msg.topic === 'reject') {
        const id = answeredId(msg.payload);
        await gate.load();
        const result = await asking.answer(id, msg.topic, 'msg.topic ' + msg.topic);
        if ('unknown' in result) throw new Error(`msg.payload: no request ${id} waits for an answer at this risk gate`);
        return;
      }
      if (msg.topic === 'reset') {
        await gate.resetBreaker(async () => (await session.account()).portfolio);
        showState();
        return;
      }
      // A signal is refused (output 2) or decided by the gate and saved.
      const hold = askFirst ? { timeoutMs: approval.timeoutMs, now: Date.now() } : undefined;
      const verdict = await gate.decide(msg.payload, msg.indicators, (signal) => journalSent(session.journal, { payload: signal }), hold);
      if ('refused' in verdict) {
        send([null, { ...msg, ...(verdict.topic ? { topic: verdict.topic } : {}), payload: verdict.refused }]);
        if (verdict.error) throw verdict.error;
        return;
      }
      const { signal, outcome } = verdict;
      // A breaker that tripped here: its message goes out (the notifier's), and "flatten" closes
      // every position but the one this signal's own sell is already closing.
      const trips = outcome.trips ?? [];
      const tripMessages = trips.map((t) => ({ ...msg, topic: signal.symbol, payload: t }));
      const flatten = flattenAfterTrips(outcome);
      const flattenOrders = flatten ? await forceExits({ all: true }, 'msg.payload', flatten.reason, flatten.exclude) : [];
      const flattenMessages = orderMessages(flattenOrders, msg);
      if (verdict.held) {
        // Held: nothing goes out on output 1 until a person approves (trips and flatten orders still do).
        send([flattenMessages.length ? flattenMessages : null, tripMessages.length ? tripMessages : null]);
        status.update(() => ({ fill: 'blue', shape: 'dot', text: `waiting for approval: ${gate.held.length}` }));
        await asking.ask(verdict.held, msg);
      } else if ('request' in outcome) {
        send([[{ ...msg, topic: signal.symbol, payload: outcome.request }, ...flattenMessages], tripMessages.length ? tripMessages : null]);
        status.update(() => ({ fill: 'green', shape: 'dot', text: `${signal.side} ${formatAmount(outcome.request.amount, marketSteps(signal.exchange, signal.symbol).amountStep)} ${signal.symbol}` }));
        if (trips.length) showState();
      } else {
        send([flattenMessages.length ? flattenMessages : null, [{ ...msg, topic: signal.symbol, payload: outcome.rejection }, ...tripMessages]]);
        if (outcome.rejection.code === 'DRAWDOWN_BREAKER' || trips.length) showState();
        else status.update(() => ({ fill: 'yellow', shape: 'ring', text: `${outcome.rejection.code}: ${signal.symbol}` }));
      }
    });
  });
};
