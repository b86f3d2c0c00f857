/**
 * tradebot-journal (palette: journal): asks the exchange's trade journal a question (closed trades,
 * profit over a period, daily / weekly / monthly P&L, performance per pair, strategy or exit
 * reason, open positions, counts, equity) and sends the rows, for dashboards and reports.
 * msg.payload may ask a query; anything else runs the node's configured one (core/journal/query-input.ts).
 * Glue only: core/journal answers.
 */
import { configuredQuery, messageQuery } from '../../core/journal/query-input';
import type { JournalQuery, QueryResult } from '../../core/journal/queries';
import { journalBehind, journalOffText, querySessionJournal } from '../../core/journal/session-query';
import { shorten } from '../../core/market/watch-loop';
import { setUpNode } from '../shared/config-error';
import { sessionOf } from '../shared/exchange-node';
import { instrument } from '../shared/instrument';
import { statusFor } from '../shared/status';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';

interface JournalNodeDef extends NodeDef {
  exchange: string;
  query?: string;
  limit?: string | number;
  days?: string | number;
  count?: string | number;
  symbol?: string;
}

export = function register(RED: NodeAPI): void {
  function TradebotJournalNode(this: Node, config: JournalNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/config-error.ts).
    setUpNode(RED, node, () => {
      const configured = configuredQuery(config);
      const { session, error } = sessionOf(RED, config.exchange);
      if (error) throw error;
      // Off now means off until the exchange node is changed and deployed (which redeploys this node too).
      if (!session!.journal) throw new Error(journalOffText(session!));

      node.on('input', (msg: NodeMessageInFlow & Record<string, any>, send: SendFn, done: DoneFn) => {
        let query: JournalQuery;
        try {
          query = messageQuery(msg.payload, configured);
        } catch (err) {
          node.status(statusFor('error', shorten((err as Error).message, 80)));
          return done(err as Error);
        }
        querySessionJournal(session!, query).then(
          (rows) => {
            msg.payload = rows;
            msg.topic = query.query;
            msg.query = query;
            send(msg);
            const behind = journalBehind(session!);
            node.status(behind ? statusFor('reconnecting', shorten(behind, 80)) : statusFor('live', summary(query, rows)));
            done();
          },
          (err: Error) => {
            node.status(statusFor('error', shorten(err.message, 80)));
            done(err);
          },
        );
      });
    });
  }

  RED.nodes.registerType('tradebot-journal', TradebotJournalNode as any);
};

/** The status line of an answer: what was asked and how much came back. */
function summary(query: JournalQuery, rows: QueryResult): string {
  if (Array.isArray(rows)) return `${query.query}: ${plural(rows.length, 'row')}`;
  if ('openOrders' in rows) return `count: ${plural(rows.closedTrades, 'closed trade')}, ${plural(rows.openPositions, 'open position')}, ${plural(rows.openOrders, 'open order')}`;
  return `profit: ${plural(rows.trades, 'trade')}, ${+rows.profit.toFixed(8)} (${rows.profitPct.toFixed(2)}%)`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
