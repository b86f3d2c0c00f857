/**
 * The performance page of each exchange node on the admin server (docs/performance.md), behind
 * its auth like the editor, permission tradebot-exchange.read:
 *   GET tradebot/performance/<exchange node id>            the page (works without JavaScript; refreshes itself with it)
 *   GET tradebot/performance/<exchange node id>.json       the same data (core/journal/performance.ts)
 *   GET tradebot/performance/<exchange node id>/trades.csv every closed trade, as a download
 * Glue only: the figures come from the node's journal and account (its session). Every text
 * passes the credential redaction; URLs in the page are relative (any httpAdminRoot) and carry
 * ?access_token= on.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import type { ExchangeSession } from '../../core/session/exchange-session';
import { describeJournalError } from '../../core/journal/journal';
import { JournalCache } from '../../core/journal/journal-cache';
import { performanceData, tradesCsv, DAILY_DAYS, type PerformanceData } from '../../core/journal/performance';
import { sessionJournalReader } from '../../core/journal/session-reader';
import { redact, redactDeep } from '../../core/secrets';
import { lightweightChartsFile, pageCss, serveScripts, tokenQuery } from '../shared/admin-page';
import type { ExchangeConfigNode, NodeAPI } from '../shared/types';

interface PerformanceView {
  sections(data: PerformanceData): Record<string, string>;
}

const PAGE_DIR = path.join(__dirname, 'performance');

export function registerPerformanceRoutes(RED: NodeAPI): void {
  const read = RED.auth.needsPermission('tradebot-exchange.read');

  /** The exchange node's session, or the sentence a 404 says. */
  function find(id: string): { session: ExchangeSession; name: string } | { missing: string } {
    const node = RED.nodes.getNode(id) as (ExchangeConfigNode & { name?: string; type?: string }) | null;
    if (!node || node.type !== 'tradebot-exchange') return { missing: `No exchange node ${id} is deployed here: deploy the flow with the exchange node, then open its performance page again (its dialog links to it).` };
    // The node's own session (during a redeploy the old one may still be closing, under the same id).
    if (!node.session) return { missing: `The exchange node ${node.name || id} is not running${node.configError ? `: ${node.configError}` : ''}.` };
    return { session: node.session, name: node.name ?? '' };
  }

  /** Each running session's trades and equity as the pages last read them (gone with the session after a redeploy). */
  const caches = new WeakMap<ExchangeSession, JournalCache>();

  /** The page's data, or the 404 sentence (no such node, or its journal is off). */
  async function load(id: string): Promise<{ data: PerformanceData } | { missing: string }> {
    const found = find(id);
    if ('missing' in found) return found;
    const { session, name } = found;
    const reader = sessionJournalReader(session);
    if (!reader || !session.journal) return { missing: journalOff(session, name || id) };
    const currency = session.settings.reportCurrency;
    // A backtest's journal is its last run, replaced whole: read as it is. Else only what is new.
    let cache = caches.get(session);
    if (!cache && session.mode !== 'backtest') caches.set(session, (cache = new JournalCache({ store: reader.store, account: reader.account })));
    const data = await performanceData(
      reader,
      { id, name, exchange: session.exchangeName, mode: session.mode, currency },
      {
        health: session.journal.health(),
        cache,
        // The account's value now closes the equity curve (a backtest's curve is its run's).
        equityNow: async () => (session.mode === 'backtest' ? undefined : (await session.account()).portfolio.equity(currency).equity),
      },
    );
    return { data };
  }

  function journalOff(session: ExchangeSession, label: string): string {
    const how =
      session.settings.journal === 'off'
        ? 'its trade journal is off: set the journal to "auto" (sim, paper and live) or "on" in the exchange node\'s dialog and deploy'
        : 'in backtest mode the journal is written only when the journal setting is "on": set it in the exchange node\'s dialog, deploy and run the backtest again (its report page shows the run as well)';
    return `The exchange node ${label} keeps no trade journal, so there is no performance to show: ${how}.`;
  }

  let template: string | undefined;
  let view: PerformanceView | undefined;

  function renderPage(data: PerformanceData, query: string): string {
    template ??= fs.readFileSync(path.join(PAGE_DIR, 'page.html'), 'utf8');
    // The same code draws the tables here and, on every refresh, in the browser.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    view ??= require(path.join(PAGE_DIR, 'view.js')) as PerformanceView;
    // URLs go into the page unescaped ({{{ }}}): made of encodeURIComponent output and fixed text, they hold no HTML.
    const id = encodeURIComponent(data.exchangeNode.id);
    const dataJson = JSON.stringify(data)
      // Inside <script>: no "</script>", no line separators JavaScript would choke on.
      .replace(/</g, '\\u003c')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
    return Mustache.render(template, {
      css: pageCss(),
      title: data.exchangeNode.name || `exchange ${data.exchangeNode.id}`,
      id: data.exchangeNode.id,
      exchange: data.exchange,
      mode: data.mode,
      currency: data.currency,
      days: data.daily.length || DAILY_DAYS,
      generatedAt: data.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
      jsonUrl: `${id}.json${query}`,
      csvUrl: `${id}/trades.csv${query}`,
      query,
      sections: view.sections(data),
      dataJson,
    });
  }

  /** A read that failed is almost always the journal's database (PostgreSQL down): 503, the reason without a password. */
  function fail(res: { status(code: number): { type(t: string): { send(body: string): unknown } } }, what: string, err: unknown): void {
    res.status(503).type('text/plain').send(redact(`The performance ${what} could not be read: ${describeJournalError(err)}. Trading goes on; try again in a moment.`));
  }

  // The scripts first: "assets" is no exchange node id.
  serveScripts(RED, '/tradebot/performance/assets', 'tradebot-exchange.read', {
    'lightweight-charts.js': lightweightChartsFile,
    'performance-view.js': () => path.join(PAGE_DIR, 'view.js'),
    'performance-page.js': () => path.join(PAGE_DIR, 'page.js'),
  });

  RED.httpAdmin.get('/tradebot/performance/:id/trades.csv', read, (req, res) => {
    const id = String(req.params.id);
    res.set('Cache-Control', 'no-store');
    const found = find(id);
    if ('missing' in found) return void res.status(404).type('text/plain').send(redact(found.missing));
    const reader = sessionJournalReader(found.session);
    if (!reader) return void res.status(404).type('text/plain').send(redact(journalOff(found.session, found.name || id)));
    const cache = caches.get(found.session);
    (cache ? cache.read().then((r) => r.trades) : reader.store.trades(reader.account))
      .then((trades) => {
        res.set('Content-Disposition', `attachment; filename="tradebot-trades-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv"`);
        res.type('text/csv; charset=utf-8').send(redact(tradesCsv(trades)));
      })
      .catch((err) => fail(res, 'CSV', err));
  });

  // One route for the page and its JSON: "<id>.json" and "<id>" are told apart here, whatever the
  // router's rules for a dot after a parameter (Express 4 and 5 differ).
  RED.httpAdmin.get('/tradebot/performance/:id', read, (req, res) => {
    const param = String(req.params.id);
    const json = param.endsWith('.json');
    const id = json ? param.slice(0, -'.json'.length) : param;
    res.set('Cache-Control', 'no-store');
    load(id)
      .then((result) => {
        if ('missing' in result) return void res.status(404).type('text/plain').send(redact(result.missing));
        // Like every text the package shows, the page and its data pass the credential redaction.
        if (json) res.json(redactDeep(result.data));
        else res.type('text/html').send(redact(renderPage(result.data, tokenQuery(req))));
      })
      .catch((err) => fail(res, json ? 'data' : 'page', err));
  });
}
