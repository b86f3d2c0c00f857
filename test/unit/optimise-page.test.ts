/**
 * The optimisation results page's HTML (nodes/tradebot-backtest/optimise-page.ts) from a
 * hand-made report: names from users escaped, the runs in score order with "—" for the runs that
 * do not count, the best run, the walk-forward table only when the sweep asked for it, the
 * progress line while running, and nothing loaded but relative URLs carrying the access token.
 */
import assert from 'node:assert/strict';
import { progressText, renderOptimisePage } from '../../nodes/tradebot-backtest/optimise-page';
import { optimiseReportFixture } from '../support/optimise-report-fixture';

/** The cells of each row of the runs table, as text. */
function runRows(html: string): string[][] {
  const body = /<table class="trades runs" id="runs">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!));
}

describe('optimisation results page HTML', function () {
  it('escapes the names and notes that come from users', function () {
    const html = renderOptimisePage(optimiseReportFixture({ strategyName: '<img src=x onerror=alert(1)>' }), '');
    assert.ok(html.includes('<title>Optimisation: Backtest &lt;b&gt;2025&lt;&#x2F;b&gt; &amp; &quot;co&quot;</title>'));
    assert.ok(html.includes('<h1>Optimisation: Backtest &lt;b&gt;2025&lt;&#x2F;b&gt; &amp; &quot;co&quot;</h1>'));
    assert.ok(html.includes('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; (tradebot-strategy)'), 'the node name in the parameters table, escaped');
    assert.ok(html.includes('the run failed: &lt;out of memory&gt;'));
    assert.ok(!html.includes('<img'), 'no markup from a name');
    assert.ok(!html.includes('<b>2025'), 'no markup from the backtest node name');
  });

  it('lists the runs best first, with "—" for the score and figures of runs that do not count, and their notes', function () {
    const rows = runRows(renderOptimisePage(optimiseReportFixture(), ''));
    assert.equal(rows.length, 6);
    // #, fastPeriod, slowPeriod, score, total return, Sharpe, Sortino, Calmar, profit factor, max drawdown, round trips, note
    assert.deepEqual(rows.map((r) => r.slice(0, 4)), [
      ['3', '7', '30', '1.52'],
      ['2', '7', '20', '1.10'],
      ['1', '5', '30', '0.90'],
      ['0', '5', '20', '0.40'],
      ['4', '9', '20', '—'],
      ['5', '9', '30', '—'],
    ]);
    assert.deepEqual(rows[0]!.slice(4, 11), ['15.20 %', '1.52', '2.13', '1.22', '2.52', '-6.52 %', '7']);
    assert.equal(rows[4]![11], 'too few trades (1 &lt; 3)');
    assert.equal(rows[4]![4], '-2.00 %', 'a run with too few trades still shows its figures');
    assert.deepEqual(rows[5]!.slice(3, 11), ['—', '—', '—', '—', '—', '—', '—', '—'], 'a failed run has no figures');
  });

  it('shows the best run with its settings, and the progress line of a finished search', function () {
    const html = renderOptimisePage(optimiseReportFixture(), '');
    assert.match(html, /<p id="best">Run #3: score <b>1\.52<\/b> with fastPeriod 7, slowPeriod 30<\/p>/);
    assert.match(html, /<p id="progress" class="state-done pos" data-state="done">done: 6 runs in 12 s, 0\.5 runs&#x2F;s, best 1\.52<\/p>/);
    assert.ok(!html.includes('id="heatmap-note"'), 'two parameters: no note under the heatmap');
  });

  it('says when no run counts', function () {
    const report = optimiseReportFixture();
    report.best = null;
    report.progress.best = null;
    const html = renderOptimisePage(report, '');
    assert.match(html, /<p id="best" class="note">No run counts: every run made fewer than 3 round trips, had no value or failed/);
    assert.match(html, /best —<\/p>/);
  });

  it('has the walk-forward table, in-sample next to out-of-sample, with its totals, only when the sweep asked for it', function () {
    assert.ok(!renderOptimisePage(optimiseReportFixture(), '').includes('id="walk-forward"'));
    const html = renderOptimisePage(optimiseReportFixture({ walkForward: true }), '');
    const table = /<table class="trades walk-forward" id="walk-forward">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const rows = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!));
    assert.deepEqual(rows[1], ['1', '2026-01-01 00:00 – 2026-01-31 00:00', '2026-01-31 00:00 – 2026-02-10 00:00', 'fastPeriod 7, slowPeriod 30', '1.60', '0.70', '12.00 %', '3.00 %']);
    assert.deepEqual(rows[2], ['2', '2026-01-11 00:00 – 2026-02-10 00:00', '2026-02-10 00:00 – 2026-02-20 00:00', 'no in-sample run counted', '—', '—', '—', '—']);
    assert.match(table, /<td class="neg">0\.70<\/td>/, 'an out-of-sample score below its in-sample one is marked');
    assert.match(rows[3]!.join('|'), /^mean over 1 of 2 windows with a score; out-of-sample worse in 1\|1\.60\|0\.70\|chained out-of-sample return 3\.00 %$/);
    assert.match(rows[4]!.join('|'), /^efficiency \(mean out-of-sample \/ mean in-sample\)\|43\.75 %\|$/);
  });

  it('while running: the progress with runs/s, time left and the best so far', function () {
    const report = optimiseReportFixture({ state: 'running' });
    const html = renderOptimisePage(report, '');
    assert.match(html, /data-state="running">running: 4 of 6 runs \(66 %\), 0\.5 runs&#x2F;s, about 4\.0 s left, best so far 1\.52<\/p>/);
    assert.equal(runRows(html).length, 4);
    assert.equal(progressText({ ...report, state: 'canceled' }), 'canceled after 4 of 6 runs (66 %) in 12 s, best 1.52');
    assert.equal(progressText({ ...report, state: 'failed', error: 'the flow has no candles node' }), 'failed after 4 of 6 runs (66 %): the flow has no candles node');
  });

  it('with one parameter the heatmap says it needs two', function () {
    const report = optimiseReportFixture();
    report.params = report.params.slice(0, 1);
    report.runs = report.runs.map((r) => ({ ...r, values: r.values.slice(0, 1), settings: r.settings.slice(0, 1) }));
    const html = renderOptimisePage(report, '');
    assert.match(html, /<p class="note" id="heatmap-note">The heatmap needs two parameters; this sweep varies one/);
  });

  it('loads only relative URLs, with the access token it was opened with', function () {
    const html = renderOptimisePage(optimiseReportFixture(), '?access_token=abc%2B1');
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(urls, ['data:,', 'optimise.json?access_token&#x3D;abc%2B1', '../assets/lightweight-charts.js?access_token&#x3D;abc%2B1', '../assets/optimise-page.js?access_token&#x3D;abc%2B1']);
  });
});
