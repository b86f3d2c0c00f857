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
import { registerTradebotNode } from '../shared/node-harness';
import { statusFor } from '../shared/status';
import type { NodeAPI, NodeDef } from '../shared/types';

interface JournalNodeDef extends NodeDef {
  exchange: string;
  query?: string;
  limit?: string | number;
  days?: string | number;
  count?: string | number;
  symbol?: string;
}

export = function register(RED: NodeAPI): void {
  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<JournalNodeDef>(RED, 'tradebot-journal', (kit, config) => {
    const { node } = kit;
    const configured = configuredQuery(config);
    const session = kit.exchange(config.exchange);
    // Off now means off until the exchange node is changed and deployed (which redeploys this node too).
    if (!session.journal) throw new Error(journalOffText(session));

    kit.onInput((msg, send) => {
      let query: JournalQuery;
      try {
        query = messageQuery(msg.payload, configured);
      } catch (err) {
        node.status(statusFor('error', shorten((err as Error).message, 80)));
        throw err;
      }
      return querySessionJournal(session, query).then(
        (rows) => {
          msg.payload = rows;
          msg.topic = query.query;
          msg.query = query;
          send(msg);
          const behind = journalBehind(session);
          node.status(behind ? statusFor('reconnecting', shorten(behind, 80)) : statusFor('live', summary(query, rows)));
        },
        (err: Error) => {
          node.status(statusFor('error', shorten(err.message, 80)));
          throw err;
        },
      );
    });
  });
};

/** The status line of an answer: what was asked and how much came back. */
function summary(query: JournalQuery, rows: QueryResult): string {
  if (Array.isArray(rows)) return `${query.query}: ${plural(rows.length, 'row')}`;
  if ('openOrders' in rows) return `count: ${plural(rows.closedTrades, 'closed trade')}, ${plural(rows.openPositions, 'open position')}, ${plural(rows.openOrders, 'open order')}`;
  return `profit: ${plural(rows.trades, 'trade')}, ${+rows.profit.toFixed(8)} (${rows.profitPct.toFixed(2)}%)`;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
