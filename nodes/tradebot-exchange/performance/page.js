/*
 * The performance page in the browser (served by the tradebot-exchange module on the admin
 * server): draws the equity curve and the daily P&L bars with lightweight-charts, and every
 * REFRESH_MS fetches the page's JSON again and redraws the tables (view.js, the same code the
 * server rendered them with) and the charts, without reloading the page.
 */
(function () {
  'use strict';
  var REFRESH_MS = 10000;
  var view = window.TradebotPerformanceView;
  var LW = window.LightweightCharts;
  var body = document.body;
  var query = body.getAttribute('data-query') || '';
  var jsonUrl = encodeURIComponent(body.getAttribute('data-id')) + '.json' + query;
  var updated = document.getElementById('updated');
  var data = JSON.parse(document.getElementById('tradebot-performance-data').textContent);

  function sec(ms) {
    return Math.floor(ms / 1000);
  }
  function hhmmss(d) {
    return d.toTimeString().slice(0, 8);
  }
  function fail(el, text) {
    el.innerHTML = '';
    var p = document.createElement('div');
    p.className = 'chart-error';
    p.textContent = text;
    el.appendChild(p);
  }

  var options = function (el) {
    return {
      autoSize: true,
      layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1f2328', fontSize: 12 },
      grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
      timeScale: { timeVisible: el.id === 'equity-chart', secondsVisible: false, borderColor: '#d0d7de' },
      rightPriceScale: { borderColor: '#d0d7de' },
    };
  };

  var equitySeries;
  var dailySeries;
  var startLine;
  var charts = {};

  function setUpCharts() {
    var eqEl = document.getElementById('equity-chart');
    var dayEl = document.getElementById('daily-chart');
    if (!LW || !LW.createChart) {
      fail(eqEl, 'The chart library (lightweight-charts) did not load: the tables are still valid.');
      fail(dayEl, 'The chart library (lightweight-charts) did not load.');
      return;
    }
    eqEl.innerHTML = '';
    dayEl.innerHTML = '';
    charts.equity = LW.createChart(eqEl, options(eqEl));
    equitySeries = charts.equity.addSeries(LW.LineSeries, { color: '#2962ff', lineWidth: 2, priceLineVisible: false, lastValueVisible: true });
    charts.daily = LW.createChart(dayEl, options(dayEl));
    dailySeries = charts.daily.addSeries(LW.HistogramSeries, { priceLineVisible: false, lastValueVisible: false, base: 0 });
  }

  function drawCharts() {
    if (!equitySeries) return;
    // Points with the same second (a snapshot and "now") would break the series' strict order: the later one wins.
    var points = [];
    data.equity.points.forEach(function (p) {
      var t = sec(p[0]);
      if (points.length && points[points.length - 1].time >= t) points.pop();
      points.push({ time: t, value: p[1] });
    });
    equitySeries.setData(points);
    if (startLine) equitySeries.removePriceLine(startLine);
    startLine = data.summary.equityStart === null ? undefined : equitySeries.createPriceLine({ price: data.summary.equityStart, color: '#8c959f', lineWidth: 1, lineStyle: LW.LineStyle.Dashed, axisLabelVisible: true, title: 'start' });
    var note = document.getElementById('equity-note');
    if (note) note.textContent = points.length ? (data.equity.downsampled ? ' ' + data.equity.points.length + ' of ' + data.equity.total + ' points shown.' : '') : ' No equity points yet.';
    dailySeries.setData(data.daily.slice().reverse().map(function (r) {
      return { time: sec(r.start), value: r.profit, color: r.profit >= 0 ? '#1a7f37' : '#cf222e' };
    }));
    charts.equity.timeScale().fitContent();
    charts.daily.timeScale().fitContent();
  }

  function renderTables() {
    var sections = view.sections(data);
    Object.keys(sections).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.innerHTML !== sections[id]) el.innerHTML = sections[id];
    });
  }

  function refresh() {
    fetch(jsonUrl, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) {
          return res.text().then(function (text) {
            throw new Error(text || 'HTTP ' + res.status);
          });
        }
        return res.json();
      })
      .then(function (next) {
        data = next;
        renderTables();
        drawCharts();
        updated.className = '';
        updated.textContent = 'updated ' + hhmmss(new Date());
      })
      .catch(function (err) {
        // The last figures stay; the line says they are getting old and why.
        updated.className = 'stale';
        updated.textContent = 'not updated since ' + (updated.getAttribute('data-last') || 'the page loaded') + ': ' + err.message;
      })
      .then(function () {
        if (updated.className === '') updated.setAttribute('data-last', hhmmss(new Date()));
        setTimeout(refresh, REFRESH_MS);
      });
  }

  setUpCharts();
  drawCharts();
  updated.textContent = 'updated ' + hhmmss(new Date());
  updated.setAttribute('data-last', hhmmss(new Date()));
  setTimeout(refresh, REFRESH_MS);
  window.tradebotPerformance = { charts: charts };
})();
