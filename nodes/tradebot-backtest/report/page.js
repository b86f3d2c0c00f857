/*
 * The backtest report page's chart (served by the tradebot-backtest node on the admin server):
 * candles of the replayed price with the fills as markers, and the equity curve in a pane below,
 * drawn with TradingView's lightweight-charts (standalone build, served next to this file).
 * The data is in the page itself (<script id="tradebot-chart-data">).
 */
(function () {
  'use strict';
  var el = document.getElementById('chart');
  var legend = document.getElementById('legend');

  function fail(text) {
    el.innerHTML = '';
    var p = document.createElement('div');
    p.className = 'chart-error';
    p.textContent = text;
    el.appendChild(p);
  }

  var LW = window.LightweightCharts;
  if (!LW || !LW.createChart) return fail('The chart library (lightweight-charts) did not load: the metrics and trades are still valid.');
  var data = JSON.parse(document.getElementById('tradebot-chart-data').textContent);
  if (!data.symbols.length || !data.equity.length) return fail('Nothing to chart: the run had no candles.');

  /** Decimals that show a price of this size well. */
  function decimals(x) {
    var a = Math.abs(x);
    if (!(a > 0)) return 2;
    return Math.max(2, Math.min(10, Math.ceil(-Math.log10(a)) + 5));
  }
  function priceFormat(x) {
    var d = decimals(x);
    return { type: 'price', precision: d, minMove: Math.pow(10, -d) };
  }
  var sec = function (ms) {
    return Math.floor(ms / 1000);
  };
  var bucketOf = function (ts) {
    return data.start + Math.floor((ts - data.start) / data.bucketMs) * data.bucketMs;
  };

  var chart = LW.createChart(el, {
    autoSize: true,
    layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1f2328', fontSize: 12, panes: { separatorColor: '#d0d7de' } },
    grid: { vertLines: { color: '#f0f2f4' }, horzLines: { color: '#f0f2f4' } },
    timeScale: { timeVisible: true, secondsVisible: data.tfMs < 60000, borderColor: '#d0d7de', minBarSpacing: 0.05 },
    rightPriceScale: { borderColor: '#d0d7de' },
    crosshair: { mode: LW.CrosshairMode.Normal },
  });
  var candles = chart.addSeries(LW.CandlestickSeries, {
    upColor: '#26a69a',
    downColor: '#ef5350',
    borderVisible: false,
    wickUpColor: '#26a69a',
    wickDownColor: '#ef5350',
  }, 0);
  var equity = chart.addSeries(LW.LineSeries, {
    color: '#2962ff',
    lineWidth: 2,
    priceFormat: priceFormat(data.startEquity),
    lastValueVisible: true,
    priceLineVisible: false,
  }, 1);
  equity.setData(data.equity.map(function (e) {
    return { time: sec(e[0]), value: e[1] };
  }));
  equity.createPriceLine({ price: data.startEquity, color: '#8c959f', lineWidth: 1, lineStyle: LW.LineStyle.Dashed, axisLabelVisible: true, title: 'start' });
  var panes = chart.panes();
  if (panes.length > 1) {
    panes[0].setStretchFactor(0.7);
    panes[1].setStretchFactor(0.3);
  }
  var markers = LW.createSeriesMarkers(candles, []);

  function show(index) {
    var rows = data.prices[index] || [];
    candles.applyOptions({ priceFormat: priceFormat(rows.length ? rows[rows.length - 1][4] : 1) });
    candles.setData(rows.map(function (r) {
      return { time: sec(r[0]), open: r[1], high: r[2], low: r[3], close: r[4] };
    }));
    var trades = data.trades.filter(function (t) {
      return t[1] === index;
    });
    var label = trades.length <= 40;
    fillsAt = {};
    trades.forEach(function (t) {
      var key = sec(bucketOf(t[0]));
      (fillsAt[key] = fillsAt[key] || []).push((t[2] > 0 ? 'buy ' : 'sell ') + Number(t[4].toPrecision(6)) + ' @ ' + Number(t[3].toPrecision(8)));
    });
    markers.setMarkers(trades.map(function (t) {
      var buy = t[2] > 0;
      return {
        time: sec(bucketOf(t[0])),
        position: buy ? 'belowBar' : 'aboveBar',
        color: buy ? '#1a7f37' : '#cf222e',
        shape: buy ? 'arrowUp' : 'arrowDown',
        text: label ? (buy ? 'B ' : 'S ') + Number(t[3].toPrecision(6)) : '',
      };
    }));
    chart.timeScale().fitContent();
  }

  var symbolIndex = 0;
  /** The fills on each bar (by bar time, seconds) of the symbol shown: for the legend. */
  var fillsAt = {};
  var legendText = document.createElement('span');
  if (data.symbols.length > 1) {
    var select = document.createElement('select');
    data.symbols.forEach(function (s, i) {
      var o = document.createElement('option');
      o.value = String(i);
      o.textContent = s;
      select.appendChild(o);
    });
    select.addEventListener('change', function () {
      symbolIndex = Number(select.value);
      show(symbolIndex);
      defaultLegend();
    });
    legend.appendChild(select);
  }
  legend.appendChild(legendText);
  function defaultLegend() {
    legendText.textContent = data.symbols[symbolIndex] + (data.downsampled ? ' (bars of ' + Math.round(data.bucketMs / data.tfMs) + ' candles)' : '');
  }
  chart.subscribeCrosshairMove(function (param) {
    var bar = param && param.seriesData ? param.seriesData.get(candles) : undefined;
    var eq = param && param.seriesData ? param.seriesData.get(equity) : undefined;
    if (!bar && !eq) return defaultLegend();
    var text = data.symbols[symbolIndex];
    if (bar) {
      var f = candles.priceFormatter();
      text += '  O ' + f.format(bar.open) + '  H ' + f.format(bar.high) + '  L ' + f.format(bar.low) + '  C ' + f.format(bar.close);
    }
    if (eq) text += '   equity ' + eq.value.toFixed(decimals(eq.value)) + ' ' + data.currency;
    if (fillsAt[param.time]) text += '   ' + fillsAt[param.time].join(', ');
    legendText.textContent = text;
  });
  defaultLegend();
  show(symbolIndex);
  window.tradebotReportChart = chart;
})();
