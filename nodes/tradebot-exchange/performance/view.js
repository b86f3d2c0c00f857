/*
 * The tables of an exchange node's performance page, made from the page's JSON
 * (core/journal/performance.ts). The same code runs on the server, which renders the page with
 * them (so it works without JavaScript), and in the browser, where page.js renders them again
 * from the JSON it fetches every few seconds: one formatting, wherever the page is drawn.
 * Plain ES5, no dependencies; every text from the data is HTML-escaped here.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.TradebotPerformanceView = factory();
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function fixed(x, digits) {
    return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  }

  /** A number in a few significant places: prices of 0.00001234 and of 65,000 alike. */
  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    var a = Math.abs(x);
    if (a !== 0 && (a >= 1e9 || a < 1e-6)) return x.toExponential(3);
    if (a >= 1000) return fixed(x, 2);
    if (a >= 1) return x.toFixed(digits === undefined ? 4 : digits);
    // Money (2 digits) of a cent or more in cents; smaller amounts (a pair quoted in BTC) in significant digits.
    if (digits === 2 && a >= 0.01) return x.toFixed(2);
    return String(Number(x.toPrecision(6)));
  }

  function money(x, currency) {
    return x === null || x === undefined ? '–' : num(x, 2) + ' ' + currency;
  }

  /** A value already in percent. */
  function pct(x) {
    if (x === null || x === undefined || !isFinite(x)) return '–';
    return fixed(x, 2) + ' %';
  }

  /** The profit factor: null in the JSON is infinite (wins, no loss). */
  function factor(x, stats) {
    if (x === null) return stats.wins > 0 ? '∞' : '–';
    return stats.trades ? x.toFixed(2) : '–';
  }

  function amount(x) {
    return String(Number(Number(x).toPrecision(8)));
  }

  /** "2 h 5 min": the two largest units (as the backtest report writes durations). */
  function duration(ms) {
    if (!(ms > 0)) return '0';
    var units = [['d', 86400000], ['h', 3600000], ['min', 60000], ['s', 1000]];
    var parts = [];
    var rest = ms;
    for (var i = 0; i < units.length; i++) {
      var n = Math.floor(rest / units[i][1]);
      if (n > 0 && parts.length < 2) parts.push(n + ' ' + units[i][0]);
      if (parts.length) rest -= n * units[i][1];
      if (parts.length === 2) break;
    }
    return parts.length ? parts.join(' ') : Math.round(ms) + ' ms';
  }

  /** "2026-12-02 14:05:09" (UTC). */
  function utc(ts) {
    return new Date(ts).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
  }

  function sign(x) {
    return x > 0 ? 'pos' : x < 0 ? 'neg' : '';
  }

  function cell(text, cls, title) {
    return '<td' + (cls ? ' class="' + cls + '"' : '') + (title ? ' title="' + esc(title) + '"' : '') + '>' + esc(text) + '</td>';
  }

  function head(cols) {
    return '<thead><tr>' + cols.map(function (c) {
      var left = c.charAt(0) === '<';
      var label = left ? c.slice(1) : c;
      return '<th' + (left ? ' class="l"' : '') + '>' + esc(label) + '</th>';
    }).join('') + '</tr></thead>';
  }

  function table(id, cols, rows, empty) {
    var body = rows.length ? rows.join('\n') : '<tr><td colspan="' + cols.length + '" class="l">' + esc(empty) + '</td></tr>';
    return '<table class="trades" id="' + id + '">' + head(cols) + '<tbody>\n' + body + '\n</tbody></table>';
  }

  function metricsTable(d) {
    var s = d.summary;
    var c = d.currency;
    var metrics = [
      ['Closed trades', String(s.trades), '', s.wins + ' won, ' + s.losses + ' lost'],
      ['Win rate', s.trades ? pct(100 * s.winRate) : '–', '', 'trades with a profit / closed trades'],
      ['Profit', money(s.profit, c), sign(s.profit), 'realized P&L of the closed trades, fees of both sides included'],
      ['Profit %', pct(s.profitPct), sign(s.profitPct), 'profit / what the closed trades cost to enter'],
      ['Profit factor', factor(s.profitFactor, s), '', 'gross profit / gross loss'],
      ['Average trade', money(s.averageProfit, c), sign(s.averageProfit), 'mean P&L of a closed trade'],
      ['Fees', money(s.fees, c), '', 'fees of the closed trades, both sides'],
      ['Best / worst trade', s.bestPct === null ? '–' : pct(s.bestPct) + ' / ' + pct(s.worstPct), '', 'P&L % of the best and the worst closed trade'],
      ['Average duration', s.trades ? duration(s.averageDurationMs) : '–', '', 'entry to exit'],
      ['Open positions', String(s.openPositions), '', ''],
      ['Unrealized P&L', money(s.unrealizedPnl, c), sign(s.unrealizedPnl), 'open positions at the last price'],
      ['Equity', money(s.equityNow, c), '', 'the account now (its value in ' + c + ')'],
      ['Equity start', money(s.equityStart, c), '', 'the first point of the equity curve'],
      ['Equity change', s.equityChange === null ? '–' : money(s.equityChange, c) + ' (' + pct(s.equityChangePct) + ')', sign(s.equityChange || 0), 'equity now − equity at the start of the curve'],
    ];
    var rows = [];
    for (var i = 0; i < metrics.length; i += 3) {
      rows.push('<tr>' + metrics.slice(i, i + 3).map(function (m) {
        return '<th title="' + esc(m[3]) + '">' + esc(m[0]) + '</th>' + cell(m[1], m[2]);
      }).join('') + '</tr>');
    }
    return '<table class="metrics" id="metrics">\n' + rows.join('\n') + '\n</table>';
  }

  function positionsTable(d) {
    var rows = d.positions.map(function (p) {
      return '<tr>' + cell(p.symbol, 'l') + cell(amount(p.amount)) + cell(num(p.avgEntry)) + cell(p.lastPrice === null ? '–' : num(p.lastPrice)) + cell(num(p.unrealizedPnl, 2), sign(p.unrealizedPnl)) + cell(pct(p.unrealizedPct), sign(p.unrealizedPct)) + '</tr>';
    });
    var note = d.positionsError ? '<p class="note neg">' + esc(d.positionsError) + '</p>' : '';
    return note + table('positions', ['<symbol', 'amount', 'avg entry', 'last price', 'unrealized P&L', 'P&L %'], rows, 'no open positions');
  }

  function statsTable(id, label, list, currency) {
    var rows = list.map(function (g) {
      return '<tr>' + cell(g.key, 'l') + cell(String(g.trades)) + cell(pct(100 * g.winRate)) + cell(num(g.profit, 2), sign(g.profit)) + cell(pct(g.profitPct), sign(g.profitPct)) + cell(factor(g.profitFactor, g)) + cell(num(g.fees, 2)) + cell(duration(g.averageDurationMs)) + '</tr>';
    });
    return table(id, ['<' + label, 'trades', 'win rate', 'profit (' + currency + ')', 'profit %', 'profit factor', 'fees', 'avg duration'], rows, 'no closed trades');
  }

  function dailyTable(d) {
    var rows = d.daily.filter(function (r) {
      return r.trades > 0;
    }).map(function (r) {
      return '<tr>' + cell(r.period, 'l') + cell(String(r.trades)) + cell(r.wins + ' / ' + r.losses) + cell(num(r.profit, 2), sign(r.profit)) + cell(pct(r.profitPct), sign(r.profitPct)) + cell(num(r.fees, 2)) + '</tr>';
    });
    return table('daily', ['<day (UTC)', 'trades', 'won / lost', 'profit (' + d.currency + ')', 'profit %', 'fees'], rows, 'no closed trades in the last ' + d.daily.length + ' days');
  }

  function tradesTable(d) {
    var rows = d.trades.map(function (t) {
      return '<tr>' + cell(utc(t.exitTs), 'l', 'entry ' + utc(t.entryTs)) + cell(t.symbol, 'l') + cell(t.strategy || '–', 'l') + cell(num(t.entryPrice)) + cell(num(t.exitPrice)) + cell(amount(t.amount)) + cell(num(t.pnl, 2), sign(t.pnl)) + cell(pct(t.pnlPct), sign(t.pnlPct)) + cell(duration(t.durationMs)) + cell(t.exitReason, 'l reason') + cell(num(t.fees, 4)) + cell(t.exitOrder, 'l') + '</tr>';
    });
    return table('trades', ['<exit time (UTC)', '<symbol', '<strategy', 'entry', 'exit', 'amount', 'P&L (' + d.currency + ')', 'P&L %', 'duration', '<exit reason', 'fees', '<exit order'], rows, 'no closed trades yet');
  }

  function journalText(j) {
    var text = j.backend + ' ' + j.state;
    if (j.queued) text += ', ' + j.queued + ' rows waiting';
    if (j.dropped) text += ', ' + j.dropped + ' dropped';
    if (j.error) text += ': ' + j.error;
    return text;
  }

  /** Every part of the page that changes, as HTML by the id of the element that holds it. */
  function sections(d) {
    return {
      'journal-state': '<span class="' + (d.journal.state === 'ok' ? '' : 'neg') + '" title="' + esc(d.journal.location) + '">' + esc(journalText(d.journal)) + '</span>',
      'summary': metricsTable(d),
      'positions-wrap': positionsTable(d),
      'pairs-wrap': statsTable('pairs', 'symbol', d.pairs, d.currency),
      'strategies-wrap': statsTable('strategies', 'strategy', d.strategies, d.currency),
      'exits-wrap': statsTable('exit-reasons', 'exit reason', d.exitReasons, d.currency),
      'daily-wrap': dailyTable(d),
      'trades-title': esc('Closed trades (' + d.tradesTotal + ')'),
      'trades-note': d.tradesTotal > d.trades.length ? esc('The newest ' + d.trades.length + ' of ' + d.tradesTotal + '; all of them are in trades.csv.') : '',
      'trades-wrap': tradesTable(d),
    };
  }

  return { sections: sections, esc: esc, num: num, pct: pct, duration: duration, utc: utc };
});
