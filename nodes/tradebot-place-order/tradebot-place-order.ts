/**
 * tradebot-place-order (palette: place order): executes order requests in the exchange node's
 * mode and reports every change of each order on output 1; the portfolio goes to output 2 after
 * each fill and on request (msg.topic "portfolio"). msg.topic "cancel" with payload.clientOrderId
 * cancels an open order. Glue only: core/trading executes.
 */
import { LiveRefusedError } from '../../core/exchanges/profile';
import type { OrderUpdate } from '../../core/contract';
import { cancelTarget, checkPlaceable, parseOrderRequest } from '../../core/trading/order-checks';
import { portfolioDisplay, portfolioReport } from '../../core/trading/portfolio-report';
import { formatAmount, formatPrice } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import { currencySetting } from '../../core/setting-values';
import { registerTradebotNode } from '../shared/node-harness';
import type { Node, NodeAPI, NodeDef } from '../shared/types';
import { followStateStore } from '../shared/store-status';
import { onFlowsStopping } from '../shared/flows-stopping';

type PlaceOrderNodeDef = NodeDef & { exchange: string; currency?: string; lifecycle?: boolean };

export = function register(RED: NodeAPI): void {
  // A bad setting (no exchange, an invalid exchange node, a currency that is not one) leaves the
  // node in the flow, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<PlaceOrderNodeDef>(RED, 'tradebot-place-order', (kit, config) => {
    const { node } = kit;
    const session = kit.exchange(config.exchange);
    const currency = currencySetting(config.currency, 'currency');
    const status = kit.status;
    followStateStore(RED, node, config.exchange, status);
    let closed = false;
    node.status({ fill: 'grey', shape: 'ring', text: session.label });

    const report = async () => {
      const account = await session.account();
      const payload = portfolioReport(account, currency, (await session.source()).now());
      // The payload's numbers stay exact; msg.display has them rounded for reading (core/format-number.ts).
      return { topic: 'portfolio', payload, display: portfolioDisplay(payload, (symbol) => marketSteps(session.exchangeName, symbol)) };
    };
    const portfolioWired = ((node as unknown as { wires?: string[][] }).wires?.[1]?.length ?? 0) > 0;
    const onUpdate = (update: OrderUpdate) => {
      if (closed) return;
      node.send([{ topic: update.symbol, payload: update }, null]);
      status.update(() => {
        // Rounded to the market's steps for reading; the update on output 1 keeps the exact numbers.
        const steps = marketSteps(session.exchangeName, update.symbol);
        const at = update.filled > 0 && update.average ? ` @ ${formatPrice(update.average, steps.tickSize)}` : '';
        const text = `${update.side} ${formatAmount(update.filled, steps.amountStep)}/${formatAmount(update.amount, steps.amountStep)} ${update.symbol} ${update.status}${at}`;
        if (update.status === 'rejected') return { fill: 'red', shape: 'ring', text };
        // unknown: a request failed ambiguously; the order is being looked up, never sent again.
        if (update.status === 'unknown') return { fill: 'yellow', shape: 'ring', text: `${text}: looking it up` };
        // Trading goes on while the journal cannot write; the status keeps saying so until it can.
        const journal = session.journalTrouble;
        if (journal) return { fill: journal.level === 'error' ? 'red' : 'yellow', shape: 'ring', text: session.redact(`${text}; ${journal.text}`).slice(0, 120) };
        return { fill: 'green', shape: update.status === 'open' ? 'ring' : 'dot', text };
      });
      // The portfolio report (a copy of the whole portfolio) only when output 2 leads somewhere.
      if (update.filled > 0 && update.status !== 'open' && portfolioWired) void report().then((m) => !closed && node.send([null, m]), () => undefined);
    };
    // Trouble trading retries by itself (order stream down, a poll or a cancel failing) and its recovery.
    const stopTradingStatus = session.onTradingStatus((s) => {
      if (closed) return;
      const text = session.redact(s.text);
      status.update(() => (s.level === 'error' ? { fill: 'red', shape: 'ring', text } : s.level === 'warn' ? { fill: 'yellow', shape: 'ring', text } : { fill: 'green', shape: 'ring', text }));
    });
    // Drift found by reconciliation (live) and the start / stop of trading go out on output 1 too,
    // from the newest place-order node on the exchange (each event once), for a notifier.
    // Start and stop only when ticked (new nodes have it on; older flows keep output 1 as it was).
    const lifecycle = config.lifecycle === true;
    const stopEvents = session.onEvent((event) => {
      if (closed || (event.kind === 'lifecycle' && !lifecycle)) return;
      const msg = { topic: event.kind === 'drift' ? 'drift' : event.event, payload: event };
      if (event.kind === 'lifecycle' && event.event === 'stop') {
        // Only emitted as the flows are about to stop (flows:stopping): a sent message would be
        // delivered after the nodes wired here closed, and be lost. Handed to them now,
        // synchronously (a notifier queues it and delivers it while it closes).
        for (const id of (node as unknown as { wires?: string[][] }).wires?.[0] ?? []) {
          try {
            (RED.nodes.getNode(id) as Node | null)?.receive({ ...msg, payload: { ...event } });
          } catch {
            /* one node's failure is not the stop's */
          }
        }
        return;
      }
      node.send([msg, null]);
      if (event.kind === 'drift') {
        // In the log too, whole: what changed outside the bot is worth a line.
        node.warn(`drift from the exchange adopted (${event.trigger}): ${event.reason}`);
        const text = session.redact(`drift adopted: ${event.reason}`.slice(0, 120));
        status.update(() => ({ fill: 'yellow', shape: 'dot', text }));
      }
    });
    // The flows stop (a deploy that restarts the exchange node, a shutdown): one stop event, while
    // the flows still deliver it.
    const onStopping = (e: { type?: string; diff?: { changed?: string[]; removed?: string[] } }) => {
      const restarts = e?.type === 'full' || e?.diff?.changed?.includes(config.exchange) || e?.diff?.removed?.includes(config.exchange);
      if (restarts) session.announceStop(e?.type === 'full' ? 'flows stopping (full deploy or shutdown)' : 'exchange node redeployed');
    };
    const stopHearing = onFlowsStopping(RED, onStopping);
    // Orders restored after a restart, and stop-loss closes, report here too.
    // (The newest place-order node on the exchange takes over from one that was redeployed.)
    // An exchange where live trading is refused is a configuration error: said at deploy, once
    // (red ring, one log line, one Catch-able error), and orders are then dropped quietly.
    void session.account().then(
      (a) => (a.defaultListener = onUpdate),
      (err) => {
        if (err instanceof LiveRefusedError && !closed) kit.refuse(new Error(err.message));
      },
    );

    kit.onInput(
      async (msg, send) => {
        const account = await session.account();
        if (msg.topic === 'portfolio') {
          // The incoming message carries on (msg.req / msg.res included, for an http response).
          send([null, { ...msg, ...(await report()) }]);
          return;
        }
        if (msg.topic === 'cancel') {
          await account.cancel(cancelTarget(msg.payload));
          return;
        }
        const request = parseOrderRequest(msg.payload);
        // Requests wired straight in (not through a risk gate) are journaled here; the journal keeps each once.
        session.journal?.orderRequest(request);
        // This exchange, a market listed here, a plausible time and prices (core/trading/order-checks.ts).
        await checkPlaceable(request, {
          exchange: session.exchangeName,
          markets: async () => (await session.source()).loadMarkets(),
          isOpen: (id) => account.openOrders().some((o) => o.clientOrderId === id),
          marketPrice: (symbol) => session.marketPrice(symbol),
          now: async () => (await session.source()).now(),
        });
        const { update, duplicate } = await session.placeOrder(request, onUpdate);
        if (duplicate) send([{ ...msg, topic: request.symbol, payload: update, duplicate: true }, null]);
      },
      // The refused account was reported at deploy (above): its orders are dropped quietly.
      { quiet: (err) => err instanceof LiveRefusedError },
    );

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      stopTradingStatus();
      stopEvents();
      stopHearing();
      void session.account().then((a) => a.forget(onUpdate), () => undefined);
      done();
    });
  });
};
