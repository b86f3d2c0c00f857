/**
 * The risk gate's dialog: its spec (nodes/tradebot-risk-gate/spec.ts) gives the defaults and
 * validators; here are the tabs, the choices that show their fields, the ATR names from the
 * indicator nodes upstream, the trading-day checkboxes, the time zones and the window's summary.
 */
import { DAY_NAMES, TIME_RE, daysOf, riskGateSpec } from '../../nodes/tradebot-risk-gate/spec';
import { editing, fromSpec } from '../shared/definition';
import { upstream } from '../shared/graph';
import { tabs as dialogTabs } from '../shared/tabs';
import { adoptOnlyConfig } from '../shared/validators';
import { edited, text } from '../shared/values';

const TIMEZONES = [
  'UTC', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'Europe/Zurich', 'Europe/Amsterdam', 'Europe/Madrid',
  'Europe/Istanbul', 'Europe/Moscow', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles',
  'America/Toronto', 'America/Sao_Paulo', 'Asia/Dubai', 'Asia/Kolkata', 'Asia/Singapore', 'Asia/Hong_Kong',
  'Asia/Shanghai', 'Asia/Seoul', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Auckland', 'Africa/Johannesburg',
];
const TABS = [
  ['sizing', 'Sizing'], ['stops', 'Stops'], ['order', 'Order'], ['rules', 'Rules'], ['window', 'Trading window'], ['ask', 'Ask first'],
];

export const riskGate = (): NodeDefinition =>
  fromSpec(riskGateSpec, {
    // Fields without a <label> of their own, as validator messages name them (resources/tradebot-editor.js).
    tradebotLabels: { atrMultiple: 'ATR multiple', tradingTo: 'Hours (to)', tradingDays: 'Days' },
    // A node from the palette takes the flow's only exchange config node, if there is exactly one.
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
    oneditprepare: function () {
      var node = this;

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
      var stored = daysOf(edited(editing.id, node, 'tradingDays'));
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

      // Ask first: the timeout and the bot only matter while it is on.
      function showAsk() {
        $('.tradebot-risk-ask').toggle($('#node-input-askFirst').prop('checked'));
      }
      $('#node-input-askFirst').on('change', showAsk);

      showChoices();
      showWindow();
      showAsk();
      tabs.openFirstInvalid();
    },
  });
