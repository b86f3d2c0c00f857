import { upstream } from '../shared/graph';
import { tabs as dialogTabs } from '../shared/tabs';
import { adoptOnlyConfig, needsConfig } from '../shared/validators';
import { blank, edited, isNum, text } from '../shared/values';

export const riskGate = (): NodeDefinition => {
  var SIZINGS = ['quote', 'equityPct', 'riskPct'];
  var STOP_MODES = ['none', 'pct', 'atr'];
  var ORDER_TYPES = ['market', 'limit'];
  var DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var TIMEZONES = [
    'UTC', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'Europe/Zurich', 'Europe/Amsterdam', 'Europe/Madrid',
    'Europe/Istanbul', 'Europe/Moscow', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles',
    'America/Toronto', 'America/Sao_Paulo', 'Asia/Dubai', 'Asia/Kolkata', 'Asia/Singapore', 'Asia/Hong_Kong',
    'Asia/Shanghai', 'Asia/Seoul', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland', 'Africa/Johannesburg',
  ];
  var TABS = [
    ['sizing', 'Sizing'], ['stops', 'Stops'], ['order', 'Order'], ['rules', 'Rules'], ['window', 'Trading window'],
  ];
  var NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
  var TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

  // While this node's edit dialog is open, validators read the fields being edited, not the saved ones,
  // so "needed for this sizing" and "both window times or neither" follow what the user picks.
  var editingId: any = null;
  function cur(node, prop) {
    return edited(editingId, node, prop);
  }

  /**
   * A number field that may stay empty (its rule is off), unless `needed(node)` says the current
   * settings use it. Like the runtime, a value that is set is checked even when it is not used.
   */
  function optionalNumber(ok, message, needed?, neededText?) {
    return function (v, opt) {
      if (blank(v)) return needed && needed(this) ? neededText : true;
      return (isNum(v) && ok(Number(v))) || message;
    };
  }
  var positive = function (n) { return n > 0; };
  var percent = function (n) { return n > 0 && n <= 100; };
  var POSITIVE = 'must be a number above 0, or empty (off)';
  var PERCENT = 'must be a percentage above 0 and at most 100, or empty (off)';
  function sizingIs(s) {
    return function (node) { return cur(node, 'sizing') === s; };
  }
  function stopIs(s) {
    return function (node) { return cur(node, 'stopMode') === s; };
  }
  function oneOf(values) {
    return function (v) { return values.indexOf(v) >= 0 || 'must be one of ' + values.join(', '); };
  }
  var BREAKER_ACTIONS = ['refuse', 'flatten'];
  /** A breaker action: refuse or flatten; flatten only with the limit it trips on. */
  function breakerAction(limitField, message) {
    return function (v, opt) {
      if (BREAKER_ACTIONS.indexOf(v || 'refuse') < 0) return 'must be one of ' + BREAKER_ACTIONS.join(', ');
      if (v !== 'flatten') return true;
      var limit = $('#node-input-' + limitField).length ? $('#node-input-' + limitField).val() : this[limitField];
      return text(limit) !== '' || message;
    };
  }
  var NEEDS_STOP = 'risk-percent sizing needs a stop: percent or ATR (Stops tab)';

  /** "1,2,3" or [1, 2, 3] (both are accepted by the runtime) -> [1, 2, 3]; invalid entries stay as they are. */
  function daysOf(v) {
    var list = Array.isArray(v) ? v : text(v).split(',');
    return list
      .map(function (d) { return String(d).trim(); })
      .filter(function (d) { return d !== ''; })
      .map(function (d) { return /^[0-6]$/.test(d) ? Number(d) : d; });
  }
  function zoneError(v) {
    var zone = text(v).trim();
    if (zone === '') return 'needs a time zone, e.g. UTC';
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return '';
    } catch (err) {
      return '"' + zone + '" is not a time zone (use e.g. UTC, Europe/Berlin, America/New_York)';
    }
  }
  /** Validator for one end of the trading window: HH:MM, and set together with the other end. */
  function windowTime(other, missing) {
    return function (v, opt) {
      if (!blank(v) && !TIME_RE.test(String(v))) return 'must be HH:MM, 24-hour';
      if (blank(v) && !blank(cur(this, other))) return missing;
      return true;
    };
  }

  var RUNG_RE = /^\s*([-+]?[0-9.eE+-]+)\s*%?\s*@\s*\+?\s*([-+]?[0-9.eE+-]+)\s*%?\s*$/;
  /** What is wrong with a take-profit ladder ("50@2, 50@4"), or '' when it is fine or empty. */
  function ladderError(v) {
    if (blank(v)) return '';
    var parts = text(v).split(',');
    if (parts.length > 10) return 'at most 10 rungs';
    var sum = 0;
    var last = 0;
    for (var i = 0; i < parts.length; i++) {
      var m = RUNG_RE.exec(parts[i]);
      if (!m) return 'rung ' + (i + 1) + ': "' + parts[i].trim() + '" is not a rung; write percent@gain, for example 50@2';
      var pct = Number(m[1]);
      var at = Number(m[2]);
      if (!(pct > 0 && pct <= 100)) return 'rung ' + (i + 1) + ': the percent of the position must be above 0 and at most 100';
      if (!(at > 0 && at <= 10000)) return 'rung ' + (i + 1) + ': the gain must be a percentage above 0';
      if (i > 0 && !(at > last)) return 'rung ' + (i + 1) + ': its level must be above the rung before (+' + last + ' %)';
      last = at;
      sum += pct;
    }
    if (Math.abs(sum - 100) > 1e-9) return "the rungs' percents must add up to 100 (they add up to " + +sum.toPrecision(10) + ')';
    return '';
  }

  const definition: NodeDefinition = {
    // Fields without a <label> of their own, as validator messages name them (resources/tradebot-editor.js).
    tradebotLabels: { atrMultiple: 'ATR multiple', tradingTo: 'Hours (to)', tradingDays: 'Days' },
    // A node from the palette takes the flow's only exchange config node, if there is exactly one.
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
    category: 'tradebot',
    color: '#E76F51',
    paletteLabel: 'risk gate',
    defaults: {
      name: { value: '' },
      // Without a `required` flag: the validator says what is missing, in the dialog's words.
      exchange: { value: '', type: 'tradebot-exchange', validate: needsConfig('Exchange', 'an exchange') },
      // Sizing
      sizing: {
        value: 'quote',
        validate: function (v, opt) {
          if (SIZINGS.indexOf(v) < 0) return 'must be one of ' + SIZINGS.join(', ');
          return !(v === 'riskPct' && cur(this, 'stopMode') === 'none') || NEEDS_STOP;
        },
      },
      quoteAmount: { value: 100, validate: optionalNumber(positive, 'must be a number above 0', sizingIs('quote'), 'needed for fixed-amount sizing') },
      equityPct: { value: '', validate: optionalNumber(percent, 'must be a percentage above 0 and at most 100', sizingIs('equityPct'), 'needed for percent-of-equity sizing') },
      riskPct: { value: '', validate: optionalNumber(percent, 'must be a percentage above 0 and at most 100', sizingIs('riskPct'), 'needed for risk-percent sizing') },
      accountCurrency: {
        value: 'USDT',
        validate: function (v, opt) {
          return /^\s*\S+\s*$/.test(text(v)) || 'must be a currency code such as USDT';
        },
      },
      // Stops
      stopMode: {
        value: 'none',
        validate: function (v, opt) {
          if (STOP_MODES.indexOf(v) < 0) return 'must be one of ' + STOP_MODES.join(', ');
          return !(v === 'none' && cur(this, 'sizing') === 'riskPct') || NEEDS_STOP;
        },
      },
      // Below 100: a 100 % stop would be a stop-loss price of 0, which no order accepts.
      stopPct: { value: '', validate: optionalNumber(function (n) { return n > 0 && n < 100; }, 'must be a percentage above 0 and below 100', stopIs('pct'), 'needed for a percent stop') },
      atrIndicator: {
        value: 'atr14',
        validate: function (v, opt) {
          if (cur(this, 'stopMode') !== 'atr') return true;
          return NAME_RE.test(text(v).trim()) || 'must be the name of an ATR in msg.indicators, e.g. atr14';
        },
      },
      atrMultiple: { value: '', validate: optionalNumber(positive, 'must be a number above 0', stopIs('atr'), 'needed for an ATR stop') },
      takeProfitPct: {
        value: '',
        validate: function (v, opt) {
          var plain = optionalNumber(percent, PERCENT).call(this, v, opt);
          if (plain !== true) return plain;
          return blank(v) || blank(cur(this, 'takeProfitLadder')) || 'set either a take-profit percent or a take-profit ladder, not both';
        },
      },
      // "50@2, 50@4": 50 % of the position at +2 %, the rest at +4 %. The runtime checks the same (core/risk/settings.ts).
      takeProfitLadder: {
        value: '',
        validate: function (v, opt) {
          var e = ladderError(v);
          if (e) return e;
          return blank(v) || blank(cur(this, 'takeProfitPct')) || 'set either a take-profit percent or a take-profit ladder, not both';
        },
      },
      // At most 50: order requests carry the trailing distance as a fraction of at most 0.5.
      trailingPct: { value: '', validate: optionalNumber(function (n) { return n > 0 && n <= 50; }, 'must be a percentage above 0 and at most 50, or empty (off)') },
      // Order
      orderType: { value: 'market', validate: oneOf(ORDER_TYPES) },
      limitOffsetPct: { value: 0, validate: optionalNumber(function (n) { return n >= 0 && n <= 10; }, 'must be a percentage from 0 to 10') },
      // Whole seconds: the request carries whole milliseconds.
      limitTimeoutSec: { value: '', validate: optionalNumber(function (n) { return n >= 1 && Math.floor(n) === n; }, 'must be a whole number of seconds, or empty (no timeout)') },
      // Rules: empty = off
      maxOpenPositions: { value: '', validate: optionalNumber(function (n) { return n >= 0 && Math.floor(n) === n; }, 'must be a whole number from 0, or empty (off)') },
      maxExposurePerSymbol: { value: '', validate: optionalNumber(positive, POSITIVE) },
      maxExposureTotal: { value: '', validate: optionalNumber(positive, POSITIVE) },
      noSellWithoutPosition: { value: true },
      cooldownSec: { value: '', validate: optionalNumber(positive, 'must be a number of seconds above 0, or empty (off)') },
      cooldownAfterLossSec: { value: '', validate: optionalNumber(positive, 'must be a number of seconds above 0, or empty (off)') },
      dailyLossLimit: { value: '', validate: optionalNumber(positive, POSITIVE) },
      maxDrawdownPct: { value: '', validate: optionalNumber(percent, PERCENT) },
      // What a tripped breaker does: refuse entries only, or also close every position. Flatten needs its limit.
      drawdownAction: { value: 'refuse', validate: breakerAction('maxDrawdownPct', '"flatten" needs a drawdown limit to trip on') },
      dailyLossAction: { value: 'refuse', validate: breakerAction('dailyLossLimit', '"flatten" needs a daily loss limit to trip on') },
      // Trading window
      tradingDays: {
        value: '',
        validate: function (v, opt) {
          var bad = daysOf(v).filter(function (d) { return typeof d !== 'number'; });
          return bad.length === 0 || 'days must be 0 (Sunday) to 6 (Saturday), comma-separated; "' + bad[0] + '" is not';
        },
      },
      tradingFrom: { value: '', validate: windowTime('tradingTo', 'the trading window needs a start as well as an end, or neither') },
      tradingTo: { value: '', validate: windowTime('tradingFrom', 'the trading window needs an end as well as a start, or neither') },
      timezone: {
        value: 'UTC',
        validate: function (v, opt) {
          return zoneError(v) || true;
        },
      },
    },
    inputs: 1,
    outputs: 2,
    inputLabels: 'signals; topic kill / resume / reset / forceExit',
    outputLabels: ['order requests', 'rejections'],
    icon: 'font-awesome/fa-shield',
    label: function () {
      return this.name || 'risk gate';
    },
    labelStyle: function () {
      return this.name ? 'node_label_italic' : '';
    },
    oneditprepare: function () {
      var node = this;
      editingId = node.id;

      // The trading days are checkboxes: the editor cannot outline them itself.
      var tabs = dialogTabs('tradebot-risk', TABS, function () {
        $('#tradebot-risk-days').css('outline', $('#node-input-tradingDays').hasClass('input-error') ? '1px solid var(--red-ui-form-input-border-error-color, #d6615f)' : '');
      });

      // Sizing, stops and order type: show the fields the choice uses.
      function showChoices() {
        var sizing = $('#node-input-sizing').val();
        $('.tradebot-risk-sizing').hide();
        $('.tradebot-risk-sizing-' + sizing).show();
        var stop = $('#node-input-stopMode').val();
        $('.tradebot-risk-stop').hide();
        $('.tradebot-risk-stop-' + stop).show();
        $('.tradebot-risk-limit').toggle($('#node-input-orderType').val() === 'limit');
      }
      $('#node-input-sizing, #node-input-stopMode, #node-input-orderType').on('change', showChoices);

      // ATR names: the ATRs of indicator nodes wired before this one.
      var atrNames = $('#tradebot-risk-atr-names').empty();
      var offered: Record<string, boolean> = {};
      upstream(node, 'tradebot-indicator').forEach(function (n) {
        (Array.isArray(n.indicators) ? n.indicators : []).forEach(function (ind) {
          if (!ind || ind.type !== 'atr' || !ind.name || offered[ind.name]) return;
          offered[ind.name] = true;
          $('<option/>').attr('value', ind.name).text('ATR ' + (ind.period || 14) + (n.name ? ' · ' + n.name : '')).appendTo(atrNames);
        });
      });
      if (!offered['atr14']) $('<option/>').attr('value', 'atr14').text('ATR 14').appendTo(atrNames);

      // Trading days: seven checkboxes kept in the hidden tradingDays field ("1,2,3,4,5"; empty = every day).
      var days = $('#tradebot-risk-days').empty();
      DAY_NAMES.forEach(function (d, i) {
        var box = $('<label/>', { 'for': 'tradebot-risk-day-' + i, style: 'width: auto; margin: 0 10px 0 0; white-space: nowrap' }).appendTo(days);
        $('<input/>', { type: 'checkbox', id: 'tradebot-risk-day-' + i, class: 'tradebot-risk-day', value: i, style: 'width: auto; margin: 0 3px 0 0; vertical-align: middle' }).appendTo(box);
        $('<span/>').text(d).appendTo(box);
      });
      var stored = daysOf(cur(node, 'tradingDays'));
      $('.tradebot-risk-day').each(function () {
        $(this).prop('checked', stored.indexOf(Number($(this).val())) >= 0);
      });
      // Values the checkboxes cannot show (a hand-edited flow) stay until a box is clicked.
      if (!stored.every(function (d) { return typeof d === 'number'; })) $('#node-input-tradingDays').val(text(node.tradingDays));
      else $('#node-input-tradingDays').val(stored.join(','));
      $('.tradebot-risk-day').on('change', function () {
        var picked: any[] = [];
        $('.tradebot-risk-day:checked').each(function () { picked.push(Number($(this).val())); });
        picked.sort(function (a, b) { return a - b; });
        $('#node-input-tradingDays').val(picked.join(',')).trigger('change');
      });

      // Time zones: the browser's own first, then common ones.
      var zones = $('#tradebot-risk-timezones').empty();
      var own = '';
      try {
        own = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
      } catch (err) {
        own = '';
      }
      if (own) $('<option/>').attr('value', own).text("this browser's time zone").appendTo(zones);
      TIMEZONES.forEach(function (z) {
        if (z !== own) $('<option/>').attr('value', z).appendTo(zones);
      });

      /** One sentence saying when the gate accepts signals, as the runtime will read the window. */
      function showWindow() {
        var picked = daysOf($('#node-input-tradingDays').val()).filter(function (d) { return typeof d === 'number'; });
        var from = $('#node-input-tradingFrom').val();
        var to = $('#node-input-tradingTo').val();
        var zone = $('#node-input-timezone').val().trim() || 'UTC';
        var when = picked.length === 0 || picked.length === 7 ? 'every day' : picked.map(function (d) { return DAY_NAMES[d]; }).join(', ');
        var hours = 'all day';
        if (TIME_RE.test(from) && TIME_RE.test(to)) {
          hours = 'from ' + from + ' to ' + to + (to < from ? ' (through midnight: from ' + from + ' to ' + to + ' the next day)' : to === from ? ' (no time: start and end are the same)' : '');
        } else if (from || to) {
          hours = '(set both times, or neither)';
        }
        $('#tradebot-risk-window-summary').text('Signals are accepted ' + when + ', ' + hours + ', ' + zone + ' time. ' + (picked.length === 0 ? 'No day ticked = every day.' : ''));
      }
      $('#node-input-tradingFrom, #node-input-tradingTo, #node-input-timezone').on('change keyup input', showWindow);
      $('.tradebot-risk-day').on('change', showWindow);

      showChoices();
      showWindow();
      tabs.openFirstInvalid();
    },
    oneditsave: function () {
      editingId = null;
    },
    oneditcancel: function () {
      editingId = null;
    },
    oneditdelete: function () {
      editingId = null;
    },
  };
  return definition;
};
