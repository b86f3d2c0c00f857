import { DEFAULT_TEMPLATES } from '../../core/notify/default-templates';
import { tabs as dialogTabs } from '../shared/tabs';
import { adoptOnlyConfig } from '../shared/validators';
import { blank, edited, isNum, text } from '../shared/values';

export const notifier = (): NodeDefinition => {
  var CHANNELS = ['telegram', 'webhook', 'none'];
  var PARSE_MODES = ['HTML', 'MarkdownV2', 'plain'];
  var PRESETS = ['generic', 'discord', 'slack'];
  // The kinds of core/notify/kinds.ts, in its order, with what each covers.
  var KINDS = [
    ['signal', 'Signals', 'buy and sell signals from a strategy'],
    ['order', 'Order updates', 'each change of an order, from a place-order node (output 1)'],
    ['rejection', 'Rejections', 'signals a risk gate refused (output 2), except the breaker'],
    ['breaker', 'Breaker trips', 'a risk gate rejection with code DRAWDOWN_BREAKER, or a lifecycle event "breaker"'],
    ['error', 'Errors', 'messages with msg.error, from a Catch node'],
    ['summary', 'Portfolio summaries', 'portfolio reports, from a place-order node (output 2)'],
    ['lifecycle', 'Start and stop', 'trading started (account ready) or stopped (deploy, shutdown), from a place-order node (output 1)'],
    ['kill', 'Kill switch', 'the kill switch turned on (no new entries) or off (resume)'],
    ['forceExit', 'Force exits', 'a position (or every position) closed at market on request'],
    ['drift', 'Drift', 'live: the exchange\'s balances or open orders differed from the bot\'s and were adopted, from a place-order node (output 1)'],
    ['other', 'Anything else', 'any other message, as text'],
  ];
  var KIND_NAMES = KINDS.map(function (k) { return k[0]; });
  var DEFAULT_KINDS = ['signal', 'order', 'rejection', 'breaker', 'error', 'summary', 'lifecycle', 'kill', 'forceExit', 'drift'];
  var TABS = [['channel', 'Channel'], ['messages', 'Messages'], ['templates', 'Templates']];
  var CHAT_ID_RE = /^-?\d+$|^@\w+$/;
  var URL_RE = /^https?:\/\/\S+$/;
  var MAX_SECONDS = 86400;


  // While this node's edit dialog is open, validators read the fields being edited, not the saved ones,
  // so "needed for Telegram" follows the channel the user picks.
  var editingId: any = null;
  function cur(node, prop) {
    return edited(editingId, node, prop);
  }
  function oneOf(values) {
    return function (v, opt) {
      return values.indexOf(v) >= 0 || 'must be one of ' + values.join(', ');
    };
  }
  function channelIs(node, channel) {
    return cur(node, 'channel') === channel;
  }
  /** Seconds as the runtime takes them: empty (off) or 0 to 86400. */
  function secondsError(v) {
    if (blank(v)) return '';
    return isNum(v) && Number(v) >= 0 && Number(v) <= MAX_SECONDS ? '' : 'must be a number of seconds from 0 to ' + MAX_SECONDS + ', or empty (off)';
  }

  /**
   * The syntax errors Mustache.parse would throw at deploy (unclosed tags, sections closed out of
   * order or never), so the editor shows them first. '' when fine. Templates that change the
   * delimiters ({{=…=}}) are left to the runtime.
   */
  function templateError(template) {
    var s = text(template);
    if (s.indexOf('{{=') >= 0) return '';
    var open: any[] = [];
    var pos = 0;
    for (;;) {
      var start = s.indexOf('{{', pos);
      if (start < 0) break;
      var triple = s.charAt(start + 2) === '{';
      var closer = triple ? '}}}' : '}}';
      var end = s.indexOf(closer, start + closer.length);
      if (end < 0) return 'a tag is not closed: "' + s.slice(start, start + 24) + '…" needs ' + closer;
      var tag = s.slice(start + closer.length, end).trim();
      var type = triple ? '{' : tag.charAt(0);
      var name = tag.slice(1).trim();
      if (type === '#' || type === '^') open.push(name);
      else if (type === '/') {
        if (!open.length) return '{{/' + name + '}} closes a section that is not open';
        var last = open.pop();
        if (last !== name) return 'the section {{#' + last + '}} must be closed ({{/' + last + '}}) before {{/' + name + '}}';
      }
      pos = end + closer.length;
    }
    return open.length ? 'the section {{#' + open[open.length - 1] + '}} is not closed: add {{/' + open[open.length - 1] + '}}' : '';
  }

  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  const definition: NodeDefinition = {
    // A node from the palette takes the flow's only Telegram bot, if there is exactly one (Telegram is the default channel).
    onadd: function () {
      adoptOnlyConfig(this, ['telegram']);
    },
    // Fields without a <label> of their own, as validator messages name them (resources/tradebot-editor.js).
    tradebotLabels: { kinds: 'Message kinds', minIntervals: 'Minimum interval', templates: 'Templates' },
    category: 'tradebot',
    color: '#2A9D8F',
    paletteLabel: 'notifier',
    defaults: {
      name: { value: '' },
      channel: { value: 'telegram', validate: oneOf(CHANNELS) },
      // Needed only for Telegram; with a validate function the editor leaves the config-node check to it.
      telegram: {
        value: '',
        type: 'tradebot-telegram',
        validate: function (v, opt) {
          if (!channelIs(this, 'telegram')) return true;
          if (blank(v) || v === '_ADD_') return 'pick or add a Telegram bot';
          var bot = RED.nodes.node(v);
          if (!bot) return 'the selected Telegram bot does not exist any more';
          return bot.valid === false ? 'the selected Telegram bot has invalid settings' : true;
        },
      },
      chatId: {
        value: '',
        validate: function (v, opt) {
          if (!channelIs(this, 'telegram')) return true;
          // Empty is valid: the notifier then puts its texts on its output only (blue status).
          var id = text(v).trim();
          return id === '' || CHAT_ID_RE.test(id) || 'Chat id must be a Telegram chat id: a number such as 123456789, -100… for groups and channels, or @channelname (or empty: texts go to the output only)';
        },
      },
      parseMode: { value: 'HTML', validate: oneOf(PARSE_MODES) },
      webhookPreset: { value: 'generic', validate: oneOf(PRESETS) },
      kinds: {
        value: DEFAULT_KINDS.slice(),
        validate: function (v, opt) {
          if (!Array.isArray(v)) return 'kinds must be a list';
          var bad = v.filter(function (k) { return KIND_NAMES.indexOf(k) < 0; });
          return bad.length === 0 || '"' + bad[0] + '" is not a kind of message (' + KIND_NAMES.join(', ') + ')';
        },
      },
      minIntervals: {
        value: {},
        validate: function (v, opt) {
          if (!isObject(v)) return 'minimum intervals must be an object of kind: seconds';
          for (var k in v) {
            if (!v.hasOwnProperty(k)) continue;
            if (KIND_NAMES.indexOf(k) < 0) return 'minimum interval for "' + k + '", which is not a kind of message';
            var e = secondsError(v[k]);
            if (e) return 'minimum interval for ' + k + ': ' + e;
          }
          return true;
        },
      },
      batchSeconds: {
        value: '',
        validate: function (v, opt) {
          return secondsError(v) || true;
        },
      },
      templates: {
        value: {},
        validate: function (v, opt) {
          if (!isObject(v)) return 'templates must be an object of kind: template';
          for (var k in v) {
            if (!v.hasOwnProperty(k)) continue;
            if (KIND_NAMES.indexOf(k) < 0) return 'template for "' + k + '", which is not a kind of message';
            if (typeof v[k] !== 'string') return 'the ' + k + ' template must be text';
            var e = templateError(v[k]);
            if (e) return k + ' template: ' + e;
          }
          return true;
        },
      },
      maxQueue: {
        value: 100,
        validate: function (v, opt) {
          if (blank(v)) return true; // the runtime takes 100
          var n = Number(v);
          return (isNum(v) && Math.floor(n) === n && n >= 1 && n <= 10000) || 'must be a whole number from 1 to 10000';
        },
      },
    },
    credentials: {
      // Webhook URLs carry their secret (Discord, Slack): a credential, never exported with the flow.
      webhookUrl: {
        type: 'password',
        validate: function (v, opt) {
          if (!channelIs(this, 'webhook') || v === '__PWRD__') return true; // '__PWRD__': a saved URL, unchanged
          return URL_RE.test(text(v).trim()) || 'must be the webhook\'s http(s) URL';
        },
      },
    },
    inputs: 1,
    outputs: 1,
    inputLabels: 'signals, order updates, rejections, errors (from a catch node), portfolio',
    outputLabels: 'notification text (for any other node to deliver)',
    icon: 'font-awesome/fa-bell',
    label: function () {
      if (this.name) return this.name;
      if (this.channel === 'telegram') return this.chatId ? 'notify: telegram ' + this.chatId : 'notify: telegram';
      if (this.channel === 'webhook') return 'notify: ' + (this.webhookPreset === 'discord' || this.webhookPreset === 'slack' ? this.webhookPreset : 'webhook');
      return 'notify';
    },
    labelStyle: function () {
      return this.name ? 'node_label_italic' : '';
    },
    oneditprepare: function () {
      var node = this;
      editingId = node.id;

      var tabs = dialogTabs('tradebot-notifier', TABS);
      var markTabs = tabs.mark;

      // Channel: show the fields it uses.
      function showChannel() {
        var channel = $('#node-input-channel').val();
        $('.tradebot-notifier-channel').hide();
        $('.tradebot-notifier-channel-' + channel).show();
      }
      $('#node-input-channel').on('change', showChannel);

      // Kinds: a checkbox and a minimum interval per kind, kept in node.kinds / node.minIntervals on save.
      var kinds = Array.isArray(node.kinds) ? node.kinds : DEFAULT_KINDS;
      var intervals = isObject(node.minIntervals) ? node.minIntervals : {};
      var kindRows = $('#tradebot-notifier-kinds').empty();
      KINDS.forEach(function (k) {
        var row = $('<div/>', { class: 'form-row', style: 'margin-bottom: 6px; white-space: nowrap' }).appendTo(kindRows);
        var box = $('<label/>', { 'for': 'tradebot-notifier-kind-' + k[0], title: k[2], style: 'width: 250px; margin: 0; cursor: pointer' }).appendTo(row);
        $('<input/>', { type: 'checkbox', id: 'tradebot-notifier-kind-' + k[0], class: 'tradebot-notifier-kind', value: k[0], style: 'width: auto; margin: 0 6px 0 0; vertical-align: middle' })
          .prop('checked', kinds.indexOf(k[0]) >= 0)
          .appendTo(box);
        $('<span/>').text(k[1]).appendTo(box);
        $('<span/>', { style: 'margin: 0 6px 0 0' }).text('at most one per').appendTo(row);
        $('<input/>', { type: 'number', id: 'tradebot-notifier-interval-' + k[0], class: 'tradebot-notifier-interval', min: 0, max: MAX_SECONDS, step: 'any', placeholder: 'any', style: 'width: 80px' })
          .val(blank(intervals[k[0]]) ? '' : intervals[k[0]])
          .appendTo(row);
        $('<span/>', { style: 'margin-left: 6px' }).text('s').appendTo(row);
      });
      function checkKinds() {
        KIND_NAMES.forEach(function (k) {
          var input = $('#tradebot-notifier-interval-' + k);
          var ticked = $('#tradebot-notifier-kind-' + k).prop('checked');
          input.prop('disabled', !ticked).css('opacity', ticked ? 1 : 0.5);
          input.toggleClass('input-error', !!secondsError(input.val()));
        });
        $('#tradebot-notifier-no-kinds').toggle($('.tradebot-notifier-kind:checked').length === 0);
        markTabs();
      }
      kindRows.on('change keyup input', 'input', checkKinds);

      // Templates: a text area per kind; empty = the default, shown as the placeholder.
      var templates = isObject(node.templates) ? node.templates : {};
      var templateRows = $('#tradebot-notifier-templates').empty();
      KINDS.forEach(function (k) {
        var head = $('<div/>', { class: 'form-row', style: 'margin-bottom: 2px' }).appendTo(templateRows);
        $('<label/>', { 'for': 'tradebot-notifier-template-' + k[0], title: k[2], style: 'width: auto; margin: 0 10px 0 0' }).text(k[1]).appendTo(head);
        $('<a/>', { href: '#', class: 'tradebot-notifier-use-default', 'data-kind': k[0] }).text('use default').appendTo(head);
        var area = $('<div/>', { class: 'form-row' }).appendTo(templateRows);
        $('<textarea/>', {
          id: 'tradebot-notifier-template-' + k[0],
          class: 'tradebot-notifier-template',
          'data-kind': k[0],
          rows: Math.min(5, DEFAULT_TEMPLATES[k[0]].split('\n').length + 1),
          spellcheck: 'false',
          style: 'width: 100%; font-family: monospace; font-size: 12px; resize: vertical',
        })
          .attr('placeholder', DEFAULT_TEMPLATES[k[0]])
          .val(typeof templates[k[0]] === 'string' ? templates[k[0]] : '')
          .appendTo(area);
        $('<div/>', { class: 'form-tips tradebot-notifier-template-error', id: 'tradebot-notifier-template-error-' + k[0], style: 'display: none; margin-top: 4px; color: var(--red-ui-text-color-error, #d6615f)' }).appendTo(area);
      });
      function checkTemplates() {
        $('.tradebot-notifier-template').each(function () {
          var e = templateError($(this).val());
          $(this).toggleClass('input-error', !!e);
          $('#tradebot-notifier-template-error-' + $(this).attr('data-kind')).text(e).toggle(!!e);
        });
        markTabs();
      }
      templateRows.on('change keyup input', 'textarea', checkTemplates);
      templateRows.on('click', '.tradebot-notifier-use-default', function (e) {
        e.preventDefault();
        var kind = $(this).attr('data-kind');
        $('#tradebot-notifier-template-' + kind).val(DEFAULT_TEMPLATES[kind]).trigger('change').trigger('focus');
      });

      showChannel();
      checkKinds();
      checkTemplates();
      tabs.openFirstInvalid();
    },
    oneditsave: function () {
      var node = this;
      editingId = null;
      node.kinds = KIND_NAMES.filter(function (k) { return $('#tradebot-notifier-kind-' + k).prop('checked'); });
      node.minIntervals = {};
      KIND_NAMES.forEach(function (k) {
        var v = text($('#tradebot-notifier-interval-' + k).val()).trim();
        if (v === '') return;
        // A number the runtime takes; anything else stays as typed, for the validator to show.
        node.minIntervals[k] = isNum(v) ? Number(v) : v;
      });
      node.templates = {};
      KIND_NAMES.forEach(function (k) {
        var t = text($('#tradebot-notifier-template-' + k).val());
        // Empty, or the default unchanged: saved as "default", so a later version's default applies.
        if (t.trim() === '' || t === DEFAULT_TEMPLATES[k]) return;
        node.templates[k] = t;
      });
      // The webhook URL is a credential: checked here, as a warning (a saved, unchanged URL reads '__PWRD__').
      if ($('#node-input-channel').val() === 'webhook') {
        var url = text($('#node-input-webhookUrl').val()).trim();
        if (url !== '__PWRD__' && !URL_RE.test(url)) {
          RED.notify(
            (node.name ? node.name + ': ' : 'Notifier: ') + (url === '' ? 'the webhook URL is empty' : 'the webhook URL does not look like an http(s) URL') + '; the node will not start until it is one.',
            { type: 'warning', timeout: 6000 },
          );
        }
      }
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
