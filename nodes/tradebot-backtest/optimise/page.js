/*
 * The optimisation results page's script (served by the tradebot-backtest node on the admin
 * server, next to lightweight-charts): reads optimise.json (relative to the page, with the page's
 * access token), orders the runs table by any column, draws the heatmap of the score over two
 * parameters the reader picks and the equity curves of the best runs, and while the search is
 * going re-reads optimise.json every 2 s; when it ends the page reloads to show the final report.
 * Plain ES5: it runs in the user's browser as it is. Text from the report goes in with
 * textContent only (node names and values come from users).
 */
(function () {
  'use strict';
  var MAX_ROWS = 500;
  var POLL_MS = 2000;
  var DASH = '\u2014';
  var COLOURS = ['#2962ff', '#e65100', '#2e7d32', '#8e24aa', '#00838f'];
  var query = window.location.search || '';
  var data = null;
  var sort = { key: 'score', dir: -1 };
  var table = document.getElementById('runs');
  var progress = document.getElementById('progress');

  // ------------------------------------------------------------------ formatting (as the server's)
  function ratio(x) {
    if (x === Infinity) return '\u221e';
    if (x === -Infinity) return '\u2212\u221e';
    return typeof x === 'number' && isFinite(x) ? x.toFixed(2) : DASH;
  }
  function pct(x) {
    if (typeof x !== 'number' || !isFinite(x)) return ratio(x);
    var p = 100 * x;
    if (Math.abs(p) >= 1e6) return p.toExponential(2) + ' %';
    return p.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 }) + ' %';
  }
  function scoreText(x) {
    if (x === null || x === undefined || x !== x) return DASH;
    return data.objective === 'totalReturn' ? pct(x) : ratio(x);
  }
  function seconds(s) {
    if (!(s >= 0) || !isFinite(s)) return DASH;
    if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.round((s % 3600) / 60) + ' min';
  }
  function progressText(r) {
    var p = r.progress;
    var share = p.total > 0 ? ' (' + Math.floor((100 * p.done) / p.total) + ' %)' : '';
    var speed = p.runsPerSecond.toFixed(p.runsPerSecond >= 10 ? 0 : 1) + ' runs/s';
    var best = 'best ' + (r.state === 'running' ? 'so far ' : '') + scoreText(p.best);
    if (r.state === 'running') {
      var eta = p.etaSeconds === null ? 'time left unknown' : 'about ' + seconds(p.etaSeconds) + ' left';
      return 'running: ' + p.done + ' of ' + p.total + ' runs' + share + ', ' + speed + ', ' + eta + ', ' + best;
    }
    return r.state + ': ' + p.done + ' of ' + p.total + ' runs';
  }
  function labels() {
    var count = {};
    data.params.forEach(function (p) { count[p.param] = (count[p.param] || 0) + 1; });
    return data.params.map(function (p) { return count[p.param] > 1 ? (p.nodeName || p.nodeType) + ': ' + p.param : p.param; });
  }
  function settingsText(settings) {
    var names = labels();
    return settings.map(function (s) {
      var i = -1;
      data.params.forEach(function (p, j) { if (p.node === s.node && p.param === s.param) i = j; });
      return (i >= 0 ? names[i] : s.param) + ' ' + String(s.value);
    }).join(', ');
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // ------------------------------------------------------------------ the runs table
  /** The value a column orders by; null sorts last in either direction. */
  function sortValue(run, key) {
    if (key === 'index') return run.index;
    if (key === 'score') return run.score;
    if (key.charAt(0) === 'p' && /^p\d+$/.test(key)) return run.values[Number(key.slice(1))];
    if (!run.figures) return null;
    var v = run.figures[key];
    if (key === 'profitFactor' && v === null) return Infinity; // no losing trade
    return v === undefined ? null : v;
  }
  function compare(a, b) {
    var va = sortValue(a, sort.key);
    var vb = sortValue(b, sort.key);
    if (va === null || va === undefined || vb === null || vb === undefined) {
      var na = va === null || va === undefined;
      var nb = vb === null || vb === undefined;
      return na === nb ? a.index - b.index : na ? 1 : -1;
    }
    var c = typeof va === 'number' && typeof vb === 'number' ? (va < vb ? -1 : va > vb ? 1 : 0) : String(va).localeCompare(String(vb), 'en', { numeric: true });
    return c * sort.dir || a.index - b.index;
  }
  function renderRuns() {
    var runs = data.runs.slice().sort(compare);
    var body = document.createElement('tbody');
    runs.slice(0, MAX_ROWS).forEach(function (r) {
      var tr = document.createElement('tr');
      tr.appendChild(el('td', String(r.index)));
      r.values.forEach(function (v) { tr.appendChild(el('td', String(v))); });
      tr.appendChild(el('td', scoreText(r.score), r.score === null ? 'none' : ''));
      var f = r.figures;
      var cells = f
        ? [[pct(f.totalReturn), f.totalReturn > 0 ? 'pos' : f.totalReturn < 0 ? 'neg' : ''], [ratio(f.sharpe)], [ratio(f.sortino)], [ratio(f.calmar)], [f.profitFactor === null ? '\u221e' : ratio(f.profitFactor)], [pct(-f.maxDrawdown), f.maxDrawdown > 0 ? 'neg' : ''], [String(f.roundTrips)]]
        : [[DASH], [DASH], [DASH], [DASH], [DASH], [DASH], [DASH]];
      cells.forEach(function (c) { tr.appendChild(el('td', c[0], c[1] || '')); });
      tr.appendChild(el('td', r.note || '', 'note'));
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
    document.getElementById('run-count').textContent = String(data.runs.length);
    document.getElementById('runs-cut').textContent = runs.length > MAX_ROWS ? 'The first ' + MAX_ROWS + ' of ' + runs.length + ' runs in this order; every run is in optimise.json.' : '';
    Array.prototype.forEach.call(table.tHead.querySelectorAll('th[data-key]'), function (th) {
      th.classList.remove('sorted-asc', 'sorted-desc');
      if (th.getAttribute('data-key') === sort.key) th.classList.add(sort.dir > 0 ? 'sorted-asc' : 'sorted-desc');
    });
  }
  table.tHead.addEventListener('click', function (e) {
    var th = e.target.closest ? e.target.closest('th[data-key]') : null;
    if (!th || !data) return;
    var key = th.getAttribute('data-key');
    // A new column starts with its best first: high figures, low run numbers and values; the drawdown smallest first.
    if (key === sort.key) sort.dir = -sort.dir;
    else sort = { key: key, dir: key === 'index' || key === 'maxDrawdown' || /^p\d+$/.test(key) ? 1 : -1 };
    renderRuns();
  });

  // ------------------------------------------------------------------ the heatmap
  var axes = { x: 0, y: 1 };
  function heatColour(t) {
    // red (worst) -> yellow -> green (best), as spreadsheets colour a scale
    var stops = [[248, 105, 107], [255, 235, 132], [99, 190, 123]];
    var s = t <= 0.5 ? [stops[0], stops[1], t / 0.5] : [stops[1], stops[2], (t - 0.5) / 0.5];
    var c = [0, 1, 2].map(function (k) { return Math.round(s[0][k] + (s[1][k] - s[0][k]) * s[2]); });
    return 'rgb(' + c.join(',') + ')';
  }
  function renderHeatmapControls() {
    var box = document.getElementById('heatmap-controls');
    box.textContent = '';
    if (data.params.length < 2) return;
    var names = labels();
    ['x', 'y'].forEach(function (axis) {
      var label = el('label', axis === 'x' ? 'columns' : 'rows');
      var select = document.createElement('select');
      select.id = 'heatmap-' + axis;
      names.forEach(function (n, i) {
        var o = el('option', n);
        o.value = String(i);
        select.appendChild(o);
      });
      select.value = String(axes[axis]);
      select.addEventListener('change', function () {
        axes[axis] = Number(select.value);
        renderHeatmap();
      });
      label.appendChild(select);
      box.appendChild(label);
    });
    box.appendChild(el('span', 'worse'));
    var scale = el('span');
    scale.id = 'heatmap-scale';
    scale.style.background = 'linear-gradient(to right, ' + heatColour(0) + ', ' + heatColour(0.5) + ', ' + heatColour(1) + ')';
    box.appendChild(scale);
    box.appendChild(el('span', 'better'));
  }
  function renderHeatmap() {
    var box = document.getElementById('heatmap');
    box.textContent = '';
    if (!data.params.length) return;
    var xi = axes.x;
    var yi = data.params.length > 1 ? axes.y : -1;
    var xs = data.params[xi].values;
    var ys = yi >= 0 ? data.params[yi].values : [null];
    var cells = {};
    data.runs.forEach(function (r) {
      var key = JSON.stringify([r.values[xi], yi >= 0 ? r.values[yi] : null]);
      var c = cells[key] || (cells[key] = { best: null, runs: 0 });
      c.runs++;
      if (r.score !== null && (c.best === null || r.score > c.best)) c.best = r.score;
    });
    var lo = Infinity;
    var hi = -Infinity;
    Object.keys(cells).forEach(function (k) {
      var b = cells[k].best;
      if (b !== null && isFinite(b)) {
        lo = Math.min(lo, b);
        hi = Math.max(hi, b);
      }
    });
    var names = labels();
    var t = el('table', undefined, 'heatmap');
    t.id = 'heatmap-table';
    var head = document.createElement('tr');
    head.appendChild(el('th', yi >= 0 ? names[yi] + ' \u2193 / ' + names[xi] + ' \u2192' : names[xi] + ' \u2192'));
    xs.forEach(function (x) { head.appendChild(el('th', String(x))); });
    t.appendChild(head);
    ys.forEach(function (y) {
      var tr = document.createElement('tr');
      tr.appendChild(el('th', yi >= 0 ? String(y) : 'best score'));
      xs.forEach(function (x) {
        var c = cells[JSON.stringify([x, y])];
        var td;
        if (!c) td = el('td', '', 'empty');
        else if (c.best === null) td = el('td', DASH, 'empty');
        else {
          td = el('td', scoreText(c.best));
          td.style.background = heatColour(hi > lo ? (c.best - lo) / (hi - lo) : 1);
        }
        if (c) td.title = c.runs + (c.runs === 1 ? ' run' : ' runs');
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
    box.appendChild(t);
  }

  // ------------------------------------------------------------------ the equity curves
  var curvesDrawn = false;
  function renderCurves() {
    var box = document.getElementById('curves');
    if (!box || curvesDrawn || !data.curves.length) return;
    curvesDrawn = true;
    var legend = document.getElementById('curves-legend');
    var LW = window.LightweightCharts;
    if (!LW || !LW.createChart) {
      box.appendChild(el('div', 'The chart library (lightweight-charts) did not load: the tables are still valid.', 'chart-error'));
      return;
    }
    var chart = LW.createChart(box, {
      autoSize: true,
      layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1f2328', fontSize: 12 },
      grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
      timeScale: { timeVisible: true, borderColor: '#d0d7de' },
      rightPriceScale: { borderColor: '#d0d7de' },
    });
    var byIndex = {};
    data.runs.forEach(function (r) { byIndex[r.index] = r; });
    data.curves.forEach(function (c, i) {
      var colour = COLOURS[i % COLOURS.length];
      var series = chart.addSeries(LW.LineSeries, { color: colour, lineWidth: i === 0 ? 3 : 2, priceLineVisible: false, lastValueVisible: false });
      var points = [];
      var last = -Infinity;
      c.equity.forEach(function (p) {
        var t = Math.floor(p[0] / 1000);
        if (t > last) points.push({ time: t, value: p[1] });
        last = Math.max(last, t);
      });
      series.setData(points);
      var run = byIndex[c.index];
      var line = el('div');
      var swatch = el('span', undefined, 'swatch');
      swatch.style.background = colour;
      line.appendChild(swatch);
      line.appendChild(el('span', '#' + c.index + ' score ' + scoreText(run ? run.score : null) + (run ? ' \u00b7 ' + settingsText(run.settings) : '')));
      legend.appendChild(line);
    });
    chart.timeScale().fitContent();
    window.tradebotOptimiseChart = chart;
  }

  // ------------------------------------------------------------------ loading and following
  function render() {
    renderRuns();
    renderHeatmap();
    renderCurves();
  }
  function fetchReport() {
    return fetch('optimise.json' + query, { cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) return res.text().then(function (t) { throw new Error(t || res.statusText); });
      return res.json();
    });
  }
  function follow() {
    setTimeout(function () {
      fetchReport().then(function (r) {
        if (r.state !== 'running' || r.startedAt !== data.startedAt) return window.location.reload();
        data = r;
        progress.textContent = progressText(r);
        render();
        follow();
      }, function (err) {
        progress.textContent = progressText(data) + ' (could not read the progress: ' + err.message + ')';
        follow();
      });
    }, POLL_MS);
  }
  fetchReport().then(function (r) {
    // Ended between the page and its data: the server renders the final page.
    if (progress.getAttribute('data-state') === 'running' && r.state !== 'running') return window.location.reload();
    data = r;
    window.tradebotOptimiseData = r;
    renderHeatmapControls();
    render();
    document.body.setAttribute('data-ready', 'true');
    if (r.state === 'running') follow();
  }, function (err) {
    progress.textContent = 'Could not read optimise.json: ' + err.message;
  });
})();
