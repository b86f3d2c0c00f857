/**
 * tradebot-place-order (palette: place order): executes order requests in the exchange node's
 * mode and reports every change of each order on output 1; the portfolio goes to output 2 after
 * each fill and on request (msg.topic "portfolio"). msg.topic "cancel" with payload.clientOrderId
 * cancels an open order. Glue only: core/trading executes.
 */
import { LiveRefusedError } from '../../core/exchanges/profile';
import { OrderRequestSchema, zodError, type OrderUpdate } from '../../core/contract';
import { ValidationError } from '../../core/errors';
import { checkOrderRequest, ImplausibleInputError } from '../../core/plausibility';
import { portfolioDisplay, portfolioReport } from '../../core/trading/portfolio-report';
import { formatAmount, formatPrice } from '../../core/format-number';
import { marketSteps } from '../../core/market-steps';
import { sessionOf } from '../shared/exchange-node';
import { StatusThrottle } from '../shared/status';
import { currencySetting } from '../../core/setting-values';
import { reportConfigError, setUpNode } from '../shared/config-error';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';
import { instrument } from '../shared/instrument';
import { followStateStore } from '../shared/store-status';
import { onFlowsStopping } from '../shared/flows-stopping';

type PlaceOrderNodeDef = NodeDef & { exchange: string; currency?: string; lifecycle?: boolean };

export = function register(RED: NodeAPI): void {
  function TradebotPlaceOrderNode(this: Node, config: PlaceOrderNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    // A bad setting (no exchange, an invalid exchange node, a currency that is not one) leaves the
    // node in the flow, reporting the reason once and dropping messages quietly (shared/config-error.ts).
    setUpNode(RED, node, () => {
      const { session: found, error } = sessionOf(RED, config.exchange);
      if (error) throw error;
      const session = found!;
      const currency = currencySetting(config.currency, 'currency');
      const status = new StatusThrottle((s) => node.status(s));
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
      let refused = false;
      void session.account().then(
        (a) => (a.defaultListener = onUpdate),
        (err) => {
          if (!(err instanceof LiveRefusedError) || closed) return;
          refused = true;
          status.clear();
          reportConfigError(RED, node, new Error(session.redact(err.message)));
        },
      );

      node.on('input', (msg: NodeMessageInFlow & Record<string, any>, send: SendFn, done: DoneFn) => {
        if (refused) return done();
        (async () => {
          const account = await session.account();
          if (msg.topic === 'portfolio') {
            // The incoming message carries on (msg.req / msg.res included, for an http response).
            send([null, { ...msg, ...(await report()) }]);
            return;
          }
          if (msg.topic === 'cancel') {
            const id = (msg.payload as { clientOrderId?: unknown } | undefined)?.clientOrderId;
            if (typeof id !== 'string') throw new ValidationError('msg.payload.clientOrderId: the order to cancel', 'msg.payload.clientOrderId');
            await account.cancel(id);
            return;
          }
          const parsed = OrderRequestSchema.safeParse(msg.payload);
          if (!parsed.success) throw zodError(parsed.error, 'msg.payload');
          const request = parsed.data;
          // Requests wired straight in (not through a risk gate) are journaled here; the journal keeps each once.
          session.journal?.orderRequest(request);
          if (request.exchange && request.exchange !== session.exchangeName) {
            throw new ValidationError(`msg.payload.exchange: the request is for ${request.exchange}, this node trades on ${session.exchangeName}`, 'msg.payload.exchange');
          }
          const markets = await (await session.source()).loadMarkets();
          if (!markets.has(request.symbol)) throw new ValidationError(`msg.payload.symbol: ${request.symbol} is not a market on ${session.exchangeName}`, 'msg.payload.symbol');
          // A new request's time and the prices it sets must be plausible against the market and the
          // exchange's clock before anything is recorded (a market order's price is not used: not
          // checked). One for an order still open is answered from the record, whatever it says (a
          // redelivery after a restart, whose time may be ahead of the simulator's restored clock).
          if (!account.openOrders().some((o) => o.clientOrderId === request.clientOrderId)) {
            const implausible = checkOrderRequest(request, await session.marketPrice(request.symbol), (await session.source()).now());
            if (implausible) throw new ImplausibleInputError(implausible);
          }
          const { update, duplicate } = await session.placeOrder(request, onUpdate);
          if (duplicate) send([{ ...msg, topic: request.symbol, payload: update, duplicate: true }, null]);
        })().then(
          () => done(),
          // The refused account was reported at deploy (above): its orders are dropped quietly.
          (err) => (err instanceof LiveRefusedError ? done() : done(new Error(session.redact((err as Error).message ?? String(err))))),
        );
      });

      node.on('close', (_removed: boolean, done: () => void) => {
        closed = true;
        stopTradingStatus();
        stopEvents();
        stopHearing();
        status.clear();
        void session.account().then((a) => a.forget(onUpdate), () => undefined);
        done();
      });
    });
  }

  RED.nodes.registerType('tradebot-place-order', TradebotPlaceOrderNode as any);
};
