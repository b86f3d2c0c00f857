/**
 * The strategy node's dialog: the Strategy and Average lists come from the spec (so every kind and
 * moving average the runtime accepts is offered), rule and member lists, and suggestions from the
 * nodes wired upstream (indicator names for rule operands, strategy names for decision members).
 */
import { MA_TITLES, RULE_OP_TITLES, STRATEGY_TITLES, signalName, strategySpec } from '../../nodes/tradebot-strategy/spec';
import { operandError } from '../../core/strategies/setting-ranges';
import { INDICATOR_FIELDS } from '../../core/indicators/kinds';
import { fromSpec } from '../shared/definition';
import { upstream } from '../shared/graph';
import { isNum } from '../shared/values';

const CANDLE_FIELDS = ['close', 'open', 'high', 'low', 'volume'];

/** Fills a <select> with `titles` (value -> text) and selects `value` (the editor set it before the options existed). */
function fillSelect(id: string, titles: Record<string, string>, value: unknown): void {
  const select = $('#' + id).empty();
  for (const [v, t] of Object.entries(titles)) $('<option/>').val(v).text(t).appendTo(select);
  if (value !== undefined && value !== null && value !== '') select.val(String(value));
}

/** Rule lists: [left] [comparison] [right]. */
function ruleList(id: string, rules: unknown): void {
  const list = $('#' + id);
  function check(container: any): void {
    const left = container.find('.node-input-rule-left');
    const right = container.find('.node-input-rule-right');
    const l = left.val().trim();
    const r = right.val().trim();
    const empty = l === '' && r === '';
    left.toggleClass('input-error', !empty && !!operandError(l));
    right.toggleClass('input-error', !empty && !!operandError(r));
  }
  const operand = (placeholder: string) =>
    $('<input/>', { type: 'text', list: 'node-input-tradebot-operands', placeholder, style: 'flex: 1 1 0; min-width: 60px; width: auto; margin: 0' });
  list.editableList({
    addItem: function (container: any, _i: number, opt: any) {
      const rule = opt && opt.rule ? opt.rule : { left: '', op: '>', right: '' };
      container.css({ display: 'flex', alignItems: 'center', whiteSpace: 'nowrap', overflow: 'hidden' });
      const left = operand('rsi14, close, macd.histogram').addClass('node-input-rule-left').appendTo(container);
      const op = $('<select/>', { class: 'node-input-rule-op', style: 'flex: 0 0 auto; width: 130px; margin: 0 6px' }).appendTo(container);
      for (const [v, t] of Object.entries(RULE_OP_TITLES)) $('<option/>').val(v).text(t).appendTo(op);
      const right = operand('30, close, ema20').addClass('node-input-rule-right').appendTo(container);
      left.val(rule.left === undefined || rule.left === null ? '' : String(rule.left));
      op.val(rule.op in RULE_OP_TITLES ? rule.op : '>');
      right.val(rule.right === undefined || rule.right === null ? '' : String(rule.right));
      left.add(right).on('change keyup input', () => check(container));
      check(container);
      if (!opt || !opt.rule) left.trigger('focus');
    },
    height: 'auto',
    sortable: true,
    removable: true,
  });
  list.parent().css('min-height', '44px');
  (Array.isArray(rules) ? rules : []).forEach((r) => list.editableList('addItem', { rule: r }));
}

/** Members of the decision maker: [strategy name] [weight]. */
function memberList(saved: unknown): void {
  const members = $('#node-input-members-container');
  function checkMembers(): void {
    const count: Record<string, number> = {};
    members.editableList('items').each(function (this: HTMLElement) {
      const s = $(this).find('.node-input-member-strategy').val().trim();
      if (s) count[s] = (count[s] || 0) + 1;
    });
    members.editableList('items').each(function (this: HTMLElement) {
      const name = $(this).find('.node-input-member-strategy');
      const weight = $(this).find('.node-input-member-weight');
      const s = name.val().trim();
      name.toggleClass('input-error', s !== '' && count[s] > 1);
      weight.toggleClass('input-error', !(isNum(weight.val()) && Number(weight.val()) > 0));
    });
  }
  members.editableList({
    addItem: function (container: any, _i: number, opt: any) {
      const m = opt && opt.member ? opt.member : { strategy: '', weight: 1 };
      container.css({ display: 'flex', alignItems: 'center', whiteSpace: 'nowrap', overflow: 'hidden' });
      const name = $('<input/>', {
        type: 'text',
        class: 'node-input-member-strategy',
        list: 'node-input-tradebot-strategies',
        placeholder: 'strategy name in the signals',
        style: 'flex: 1 1 0; min-width: 80px; width: auto; margin: 0',
      }).appendTo(container);
      $('<span/>', { style: 'margin: 0 6px 0 12px' }).text('weight').appendTo(container);
      const weight = $('<input/>', { type: 'number', class: 'node-input-member-weight', min: 0, step: 'any', placeholder: '1', style: 'flex: 0 0 auto; width: 80px; margin: 0' }).appendTo(
        container,
      );
      name.val(m.strategy === undefined || m.strategy === null ? '' : String(m.strategy));
      weight.val(m.weight === undefined || m.weight === null || m.weight === '' ? 1 : m.weight);
      name.add(weight).on('change keyup input', checkMembers);
      checkMembers();
      if (!opt || !opt.member) name.trigger('focus');
    },
    removeItem: checkMembers,
    height: 'auto',
    sortable: true,
    removable: true,
  });
  members.parent().css('min-height', '44px');
  const list = Array.isArray(saved) ? saved : [];
  list.forEach((m) => members.editableList('addItem', { member: m }));
  if (list.length === 0) members.editableList('addItem', { member: { strategy: '', weight: 1 } });
}

function prepare(node: EditorNode): void {
  fillSelect('node-input-strategy', STRATEGY_TITLES, node.strategy);
  fillSelect('node-input-maType', MA_TITLES, node.maType);

  // Operand suggestions: candle fields, then the indicator names of indicator nodes wired upstream.
  const operands = $('#node-input-tradebot-operands').empty();
  const offered: Record<string, boolean> = {};
  function offer(list: any, value: string, text: string): void {
    if (offered[list.attr('id') + '|' + value]) return;
    offered[list.attr('id') + '|' + value] = true;
    $('<option/>').attr('value', value).text(text).appendTo(list);
  }
  CANDLE_FIELDS.forEach((f) => offer(operands, f, 'candle field'));
  upstream(node, 'tradebot-indicator', 'tradebot-strategy').forEach((n) => {
    (Array.isArray(n.indicators) ? n.indicators : []).forEach((ind: any) => {
      if (!ind || !ind.name) return;
      const fields = (INDICATOR_FIELDS as Record<string, readonly string[]>)[ind.type];
      const text = ind.type + (n.name ? ' · ' + n.name : '');
      if (fields) fields.forEach((f) => offer(operands, ind.name + '.' + f, text));
      else offer(operands, ind.name, text);
    });
  });
  // Member suggestions: the names in the signals of the strategy nodes wired upstream.
  const strategies = $('#node-input-tradebot-strategies').empty();
  upstream(node, 'tradebot-strategy', null).forEach((n) => offer(strategies, signalName(n), (STRATEGY_TITLES as Record<string, string>)[n.strategy] || n.strategy));

  function showPolicy(): void {
    $('.tradebot-strategy-weighted').toggle($('#node-input-strategy').val() === 'decision' && $('#node-input-policy').val() === 'weighted');
  }
  function showStrategy(): void {
    $('.tradebot-strategy-section').hide();
    $('.tradebot-strategy-' + $('#node-input-strategy').val()).show();
    showPolicy();
  }
  $('#node-input-strategy').on('change', showStrategy);
  $('#node-input-policy').on('change', showPolicy);

  ruleList('node-input-entryRules-container', node.entryRules);
  ruleList('node-input-exitRules-container', node.exitRules);
  ruleList('node-input-entryFilter-container', node.entryFilter);
  memberList(node.members);
  showStrategy();
}

function save(node: EditorNode): void {
  function rules(id: string) {
    const out: Array<{ left: string; op: string; right: string }> = [];
    $('#' + id)
      .editableList('items')
      .each(function (this: HTMLElement) {
        const left = $(this).find('.node-input-rule-left').val().trim();
        const right = $(this).find('.node-input-rule-right').val().trim();
        if (left === '' && right === '') return; // an untouched row
        out.push({ left, op: $(this).find('.node-input-rule-op').val(), right });
      });
    return out;
  }
  node.entryRules = rules('node-input-entryRules-container');
  node.exitRules = rules('node-input-exitRules-container');
  node.entryFilter = rules('node-input-entryFilter-container');
  node.members = [];
  $('#node-input-members-container')
    .editableList('items')
    .each(function (this: HTMLElement) {
      const s = $(this).find('.node-input-member-strategy').val().trim();
      const w = $(this).find('.node-input-member-weight').val();
      if (s === '') return;
      node.members.push({ strategy: s, weight: w === '' || !isFinite(Number(w)) ? 1 : Number(w) });
    });
}

export const strategy = () =>
  fromSpec(strategySpec, {
    oneditprepare: function () {
      prepare(this);
    },
    oneditsave: function () {
      save(this);
    },
  });
