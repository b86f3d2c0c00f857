
export const exchange = (): NodeDefinition => {
  function modeLabel(mode) {
    return { sim: 'simulated', paper: 'paper', live: 'LIVE', backtest: 'backtest' }[mode] || mode;
  }
  var BALANCES_RE = /^([A-Za-z0-9]+\s*=\s*[0-9.]+\s*(,\s*|$))*$/;
  /** A field that may be missing (flows saved before it existed, e.g. the examples): the runtime takes its default. */
  function orDefault(check) {
    return function (v, opt) {
      return v === undefined || v === null || v === '' || check.call(this, v, opt);
    };
  }
  /** A percentage of each fill, 0 to 5; empty takes the default. */
  // Retention in whole days, 0 = forever; empty takes the default.
  function wholeDays(v) {
    if (v === '' || v === undefined || v === null) return true;
    var n = Number(v);
    return (Number.isInteger(n) && n >= 0 && n <= 36500) || 'a whole number of days from 0 (forever) to 36500';
  }
  function perFill(v, opt) {
    if (v === '' || v === undefined || v === null) return true;
    var n = Number(v);
    return (typeof v !== 'boolean' && isFinite(n) && n >= 0 && n <= 5) || 'must be a percentage from 0 to 5';
  }
  /** The context stores configured in settings.js, as the runtime reports them to the editor. */
  function contextStores() {
    var ctx = RED.settings && RED.settings.context;
    return ctx && Array.isArray(ctx.stores) ? ctx : null;
  }
  // A date the core accepts: ISO (2024-01-01, 2024-01-01T12:00Z) or epoch milliseconds.
  function backtestDateValid(node, v, which) {
    var mode = $('#node-config-input-mode').length ? $('#node-config-input-mode').val() : node.mode;
    var source = $('#node-config-input-backtestSource').length ? $('#node-config-input-backtestSource').val() : node.backtestSource;
    if (mode !== 'backtest' || source !== 'exchange') return true;
    var text = String(v || '').trim();
    if (!text) return 'backtest "' + which + '" needs a date such as 2024-01-01';
    var ms = /^[0-9]+$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isFinite(ms) || '"' + text + '" is not a date (use 2024-01-01 or milliseconds)';
  }
  const definition: NodeDefinition = {
    // Fields without a <label> of their own, as validator messages name them (resources/tradebot-editor.js).
    tradebotLabels: { journalKeepTradeDays: 'Keep rows (trades)' },
    category: 'config',
    defaults: {
      name: { value: '' },
      mode: { value: 'sim', required: true, validate: RED.validators.regex(/^(sim|backtest|paper|live)$/) },
      // Flows saved before this field existed have no value: that means files.
      backtestSource: { value: 'files', validate: function (v) { return !v || v === 'files' || v === 'exchange'; } },
      backtestSymbols: {
        value: '',
        validate: function (v) {
          var mode = $('#node-config-input-mode').length ? $('#node-config-input-mode').val() : this.mode;
          var source = $('#node-config-input-backtestSource').length ? $('#node-config-input-backtestSource').val() : this.backtestSource;
          if (mode !== 'backtest' || source !== 'exchange') return true;
          var symbols = String(v || '').split(/[\s,;]+/).filter(Boolean);
          if (!symbols.length) return 'list the symbols to download, e.g. BTC/USDT, ETH/USDT';
          var bad = symbols.filter(function (s) { return !/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+$/.test(s); });
          return bad.length === 0 || '"' + bad[0] + '" is not a symbol like BTC/USDT';
        },
      },
      backtestFrom: { value: '', validate: function (v) { return backtestDateValid(this, v, 'from'); } },
      backtestTo: { value: '', validate: function (v) { return backtestDateValid(this, v, 'to'); } },
      backtestData: {
        value: '',
        validate: function (v) {
          var mode = $('#node-config-input-mode').length ? $('#node-config-input-mode').val() : this.mode;
          var source = $('#node-config-input-backtestSource').length ? $('#node-config-input-backtestSource').val() : this.backtestSource;
          if (mode !== 'backtest' || source === 'exchange') return true;
          var lines = String(v || '').split(/[\n,;]+/).map(function (l) { return l.trim(); }).filter(Boolean);
          if (!lines.length) return 'backtest mode needs data: BTC/USDT = path/to/candles.json';
          var bad = lines.filter(function (l) { return !/^[A-Za-z0-9._-]+\/[A-Za-z0-9._:-]+\s*=\s*\S.*$/.test(l); });
          return bad.length === 0 || '"' + bad[0] + '" must look like BTC/USDT = path/to/candles.json';
        },
      },
      backtestTimeframe: { value: '1m', validate: orDefault(RED.validators.regex(/^[1-9][0-9]*(s|m|h|d|w|M)$/)) },
      backtestWarmup: { value: 100, validate: orDefault(RED.validators.number()) },
      exchangeId: {
        value: 'binance',
        validate: function (v) {
          return this.mode === 'sim' || /^[a-z0-9]+$/.test(v || '');
        },
      },
      sandbox: { value: false },
      baseUrl: {
        value: '',
        validate: function (v) {
          return !v || /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v) || 'API URL must be an http:// or https:// URL such as http://127.0.0.1:8080';
        },
      },
      // Flows saved before this field existed have no value: that means auto.
      websocket: {
        value: 'auto',
        validate: function (v) {
          return !v || v === 'auto' || v === 'on' || v === 'off' || 'Websocket must be auto, on or off';
        },
      },
      maxNotional: {
        value: '',
        validate: function (v) {
          return v === '' || v === undefined || (Number(v) > 0 && isFinite(Number(v)));
        },
      },
      exchangeStops: { value: true },
      liveOptIn: {
        value: false,
        validate: function (v) {
          return this.mode !== 'live' || v === true;
        },
      },
      simSeed: { value: 42, validate: orDefault(RED.validators.number()) },
      simSpeed: {
        value: 1,
        validate: function (v) {
          return Number(v) > 0 && Number(v) <= 100000;
        },
      },
      simTickMs: { value: 1000, validate: orDefault(RED.validators.number()) },
      timeoutMs: { value: 10000, validate: orDefault(RED.validators.number()) },
      unknownWindowSec: {
        value: '',
        validate: function (v) {
          return v === '' || v === undefined || v === null || (Number(v) >= 0.5 && Number(v) <= 600) || 'seconds, 0.5 to 600 (empty: the exchange default)';
        },
      },
      reconcileSec: {
        value: '',
        validate: function (v) {
          return v === '' || v === undefined || v === null || (Number(v) >= 10 && Number(v) <= 86400) || 'seconds, 10 to 86400 (empty: 60)';
        },
      },
      silentStreamSec: {
        value: '',
        validate: function (v) {
          return v === '' || v === undefined || v === null || (Number(v) >= 1 && Number(v) <= 86400) || 'seconds, 1 to 86400 (empty: 3 x the expected interval)';
        },
      },
      simBalances: {
        value: 'USDT=10000',
        validate: function (v, opt) {
          var text = v === undefined || v === null ? '' : String(v).trim();
          if (!BALANCES_RE.test(text)) return 'must look like USDT=10000, BTC=0.5';
          var bad = text.split(',').filter(function (part) {
            var amount = part.split('=')[1];
            return part.trim() !== '' && !isFinite(Number(amount));
          });
          return bad.length === 0 || '"' + bad[0].trim() + '" is not an amount';
        },
      },
      feeRatePct: { value: 0.1, validate: perFill },
      slippagePct: { value: 0.05, validate: perFill },
      reportCurrency: { value: 'USDT', validate: orDefault(RED.validators.regex(/^[A-Za-z0-9]{2,10}$/)) },
      redis: { value: '', type: 'tradebot-redis', required: false },
      journal: { value: 'auto' },
      database: { value: '', type: 'tradebot-database', required: false },
      journalKeepDays: { value: 90, validate: wholeDays },
      journalKeepTradeDays: { value: 0, validate: wholeDays },
      stateStore: {
        value: '',
        validate: function (v, opt) {
          if (v === '' || v === undefined || v === null) return true;
          // With Redis selected the context store is not used, so a stale name there is no error.
          if (this.redis && this.redis !== '_ADD_') return true;
          var ctx = contextStores();
          if (!ctx || ctx.stores.indexOf(v) >= 0) return true;
          return '"' + v + '" is not a context store in settings.js (configured: ' + ctx.stores.join(', ') + ')';
        },
      },
    },
    credentials: {
      apiKey: { type: 'password' },
      secret: { type: 'password' },
      password: { type: 'password' },
    },
    label: function () {
      if (this.name) return this.name;
      return this.mode === 'sim' ? 'simulated market' : this.exchangeId + ' (' + modeLabel(this.mode) + ')';
    },
    oneditprepare: function () {
      var node = this;
      function showMode() {
        var mode = $('#node-config-input-mode').val();
        var fromExchange = mode === 'backtest' && $('#node-config-input-backtestSource').val() === 'exchange';
        $('.tradebot-exchange-sim').toggle(mode === 'sim');
        $('.tradebot-exchange-backtest').toggle(mode === 'backtest');
        $('.tradebot-exchange-backtest-files').toggle(mode === 'backtest' && !fromExchange);
        $('.tradebot-exchange-backtest-download').toggle(fromExchange);
        $('.tradebot-exchange-simulated').toggle(mode !== 'live');
        // Downloading history needs the exchange's address; keys are optional (candles are public).
        $('.tradebot-exchange-real').toggle((mode !== 'sim' && mode !== 'backtest') || fromExchange);
        $('.tradebot-exchange-live').toggle(mode === 'live');
      }
      $('#node-config-input-mode').on('change', showMode);
      $('#node-config-input-backtestSource').on('change', showMode);
      showMode();
      // The "Import from" row (older versions' context store) means nothing with Redis: hidden then.
      function showStateStore() {
        var redis = $('#node-config-input-redis').val();
        var inRedis = !!redis && redis !== '_ADD_';
        $('.tradebot-exchange-context-store').toggle(!inRedis);
        $('#node-config-input-stateStore').prop('disabled', inRedis);
        $('#node-config-tradebot-redis-tip').text(
          inRedis
            ? 'the portfolio, orders and risk state persist in this Redis; in paper and live mode markets and closed candles are cached there too'
            : 'none: the portfolio, orders and risk state persist in the tradebot state file (tradebot.sqlite in the Node-RED user directory)',
        );
      }
      $('#node-config-input-redis').on('change', showStateStore);
      showStateStore();
      // The journal: where it goes, and the performance page of this node (once deployed).
      if (!$('#node-config-input-journal').val()) $('#node-config-input-journal').val('auto');
      function showJournal() {
        var on = $('#node-config-input-journal').val();
        var mode = $('#node-config-input-mode').val();
        var writes = on === 'on' || (on === 'auto' && mode !== 'backtest');
        $('.tradebot-exchange-journal').toggle(writes);
        var db = $('#node-config-input-database').val();
        $('#node-config-tradebot-journal-tip').text(
          !writes
            ? 'no journal: nothing is written' + (mode === 'backtest' && on === 'auto' ? ' (backtests are journaled only with "on")' : '')
            : db && db !== '_ADD_'
              ? 'signals, orders, fills, closed trades and equity go to this PostgreSQL database'
              : 'signals, orders, fills, closed trades and equity go to tradebot-journal.sqlite beside the state file',
        );
      }
      $('#node-config-input-journal, #node-config-input-mode, #node-config-input-database').on('change', showJournal);
      showJournal();
      // With adminAuth on, a page opened in a new tab has no Authorization header: the token goes in the URL.
      var tokens = RED.settings.get('auth-tokens');
      var performancePage = 'tradebot/performance/' + encodeURIComponent(node.id);
      $('#node-config-tradebot-performance').attr('href', tokens && tokens.access_token ? performancePage + '?access_token=' + encodeURIComponent(tokens.access_token) : performancePage);
      // State store suggestions: the context stores configured in settings.js.
      var ctx = contextStores();
      if (ctx) {
        var stores = $('#node-config-tradebot-context-stores').empty();
        ctx.stores.forEach(function (s) {
          $('<option>').attr('value', s).text(s === ctx.default ? 'the default store' : 'context store').appendTo(stores);
        });
        $('#node-config-input-stateStore').attr('placeholder', 'default (' + ctx.default + ')');
      }
      // What the chosen exchange can do (transports, client order id, lookups, stops), from the runtime.
      var profileRequest = 0;
      function showProfile() {
        var id = String($('#node-config-input-exchangeId').val() || '').trim();
        var box = $('#node-config-tradebot-profile');
        if (!/^[a-z0-9]+$/.test(id)) return box.text('');
        var asked = ++profileRequest;
        box.text('reading what ' + id + ' can do…');
        $.getJSON('tradebot/exchange-profile', { id: id, websocket: $('#node-config-input-websocket').val() || 'auto', baseUrl: $('#node-config-input-baseUrl').val() || '' })
          .done(function (answer) {
            if (asked !== profileRequest) return;
            var p = answer.profile;
            var t = p.transports;
            box.empty();
            var lines = [
              (p.tested ? 'tested by tradebot' : 'NOT tested by tradebot: try it on the testnet first'),
              'market data: ticker ' + t.ticker + ', candles ' + t.candles + ', order book ' + t.orderBook + '; order updates ' + t.orders,
              'client order id: ' + p.clientOrderId.field + ', ' + p.clientOrderId.describe,
              'after a lost answer: ' + { 'fetch-by-client-id': 'the order is fetched by its client order id', 'filter-by-client-id': 'open and closed orders are filtered by its client order id', scan: 'open and recent closed orders are searched for its client order id', none: 'the order cannot be looked up' }[p.lookup],
              'stop-losses: ' + (p.stops === 'exchange' ? 'rest at the exchange' : 'watched by the bot'),
              'pace: one request per ' + p.rateLimitMs + ' ms',
            ];
            (p.emulated || []).forEach(function (e) { lines.push('emulated: ' + e); });
            (p.missing || []).forEach(function (m) { lines.push('missing: ' + m); });
            if (p.liveRefusal) lines.push('LIVE REFUSED: ' + p.liveRefusal);
            lines.forEach(function (line) { $('<div>').text(line).appendTo(box); });
            if (answer.urls && answer.urls.length) {
              $('<div>').text('with the API URL, ccxt reaches:').appendTo(box);
              answer.urls.forEach(function (u) { $('<div>').css('font-family', 'monospace').text(u.from + ' → ' + u.to).appendTo(box); });
            }
          })
          .fail(function (xhr) {
            if (asked !== profileRequest) return;
            box.text((xhr.responseJSON && xhr.responseJSON.error) || 'could not read what this exchange can do');
          });
      }
      // Typing asks once it pauses; a pick from the list or a blur asks at once.
      var profileTimer;
      $('#node-config-input-exchangeId, #node-config-input-baseUrl').on('input', function () {
        clearTimeout(profileTimer);
        profileTimer = setTimeout(showProfile, 400);
      });
      $('#node-config-input-exchangeId, #node-config-input-baseUrl, #node-config-input-websocket').on('change', showProfile);
      if (!$('#node-config-input-websocket').val()) $('#node-config-input-websocket').val('auto');
      showProfile();
      // The searchable exchange list comes from the runtime (ccxt's own list).
      $.getJSON('tradebot/exchanges')
        .done(function (list) {
          var datalist = $('#node-config-tradebot-exchange-ids').empty();
          list.forEach(function (e) {
            $('<option>')
              .attr('value', e.id)
              .text(e.websocket ? 'websocket + REST' : 'REST only')
              .appendTo(datalist);
          });
          $('#node-config-tradebot-exchange-count').text(list.length + ' exchanges');
        })
        .fail(function () {
          $('#node-config-tradebot-exchange-count').text('could not load the exchange list');
        });
    },
  };
  return definition;
};
