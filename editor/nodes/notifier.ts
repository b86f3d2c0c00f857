/**
 * The notifier's dialog: a checkbox and a minimum interval per kind of message, a template per
 * kind (the defaults from core as placeholders), and the channel's rows. Defaults and checks come
 * from its spec (nodes/tradebot-notifier/spec.ts).
 */
import { DEFAULT_TEMPLATES } from '../../core/notify/default-templates';
import { DEFAULT_KINDS, MAX_SECONDS, WEBHOOK_URL_RE, templateSyntaxError } from '../../core/notify/notifier-rules';
import { KIND_ROWS, notifierSpec, secondsError } from '../../nodes/tradebot-notifier/spec';
import { editing, fromSpec } from '../shared/definition';
import { tabs as dialogTabs } from '../shared/tabs';
import { adoptOnlyConfig, says } from '../shared/validators';
import { blank, edited, isNum, text } from '../shared/values';

export const notifier = (): NodeDefinition => {
  var KINDS = KIND_ROWS;
  var KIND_NAMES = KINDS.map(function (k) { return k[0]; });
  var TABS = [['channel', 'Channel'], ['messages', 'Messages'], ['templates', 'Templates']];
  var URL_RE = WEBHOOK_URL_RE;
  function templateError(template) {
    return templateSyntaxError(text(template));
  }
  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  const def = fromSpec(notifierSpec, {
    // A node from the palette takes the flow's only Telegram bot, if there is exactly one (Telegram is the default channel).
    onadd: function () {
      adoptOnlyConfig(this, ['telegram']);
    },
    // Fields without a <label> of their own, as validator messages name them (resources/tradebot-editor.js).
    tradebotLabels: { kinds: 'Message kinds', minIntervals: 'Minimum interval', templates: 'Templates' },
    oneditprepare: function () {
      var node = this;

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
  });
  def.credentials = {
    // Webhook URLs carry their secret (Discord, Slack): a credential, never exported with the flow.
    webhookUrl: {
      type: 'password',
      validate: says('URL', function (this: EditorNode, v: any) {
        if (edited(editing.id, this, 'channel') !== 'webhook') return true;
        if (v === '__PWRD__') return true; // a saved URL, unchanged
        return URL_RE.test(text(v).trim()) || "must be the webhook's http(s) URL";
      }),
    },
  };
  return def;
};
