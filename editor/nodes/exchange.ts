/**
 * The exchange config node's dialog: the rows of the chosen mode, where the state and the journal
 * go, what the chosen exchange can do (asked of the runtime) and its list of exchanges. Defaults
 * and checks come from its spec (nodes/tradebot-exchange/spec.ts).
 */
import { exchangeSpec } from '../../nodes/tradebot-exchange/spec';
import { fromSpec } from '../shared/definition';
import { blank } from '../shared/values';
import { says } from '../shared/validators';

/** The context stores configured in settings.js, as the runtime reports them to the editor. */
function contextStores() {
  var ctx = RED.settings && RED.settings.context;
  return ctx && Array.isArray(ctx.stores) ? ctx : null;
}

export const exchange = (): NodeDefinition => {
  const def = fromSpec(exchangeSpec, {
    // Fields without a <label> of their own, as validator messages name them (resources/tradebot-editor.js).
    tradebotLabels: { journalKeepTradeDays: 'Keep rows (trades)' },
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
  });
  // "Import from": a context store of settings.js, which only the editor knows.
  def.defaults.stateStore.validate = says('Import from', function (this: EditorNode, v: any) {
    if (blank(v)) return true;
    // With Redis selected the context store is not used, so a stale name there is no error.
    if (this.redis && this.redis !== '_ADD_') return true;
    var ctx = contextStores();
    return !ctx || ctx.stores.indexOf(v) >= 0 || ': "' + v + '" is not a context store in settings.js (configured: ' + ctx.stores.join(', ') + ')';
  });
  def.credentials = {
    apiKey: { type: 'password' },
    secret: { type: 'password' },
    password: { type: 'password' },
  };
  return def;
};
