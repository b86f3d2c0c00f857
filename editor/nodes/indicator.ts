/**
 * The indicator node's dialog: one row per indicator (name = type, parameters), each row checked
 * as the user types, the name following type and period until the user writes their own.
 */
import { INDICATOR_DEFAULTS, INDICATOR_NAME_RE, defaultIndicatorName } from '../../core/indicators/kinds';
import { INDICATOR_TITLES, MACD_ORDER, NAME_RULE, PARAMS, PSAR_ORDER, indicatorSpec, macdOrderError, paramError, psarOrderError } from '../../nodes/tradebot-indicator/spec';
import { fromSpec } from '../shared/definition';
import { markField } from '../shared/validators';

function isAutoName(name: string, base: string): boolean {
  if (name === '' || name === base) return true;
  return name.indexOf(base + '_') === 0 && /^[0-9]+$/.test(name.slice(base.length + 1));
}

interface Row {
  nameField: any;
  collect(): Record<string, unknown>;
  check(nameError: string): void;
}

function paramInput(param: string, value: unknown, def: unknown): any {
  const meta = PARAMS[param];
  const wrap = $('<span/>', { style: 'display: inline-flex; align-items: center; margin: 0 12px 4px 0; white-space: nowrap' });
  $('<span/>', { style: 'margin-right: 4px' }).text(meta.label).appendTo(wrap);
  let input: any;
  if (meta.kind === 'select') {
    input = $('<select/>', { style: 'width: auto; margin: 0; height: 28px; line-height: 28px; padding: 0 4px' });
    for (const [v, t] of Object.entries(meta.options!)) $('<option/>').val(v).text(t).appendTo(input);
    input.val(value === undefined || value === '' ? def : String(value));
    if (input.val() === null) input.val(def);
  } else {
    input = $('<input/>', {
      type: 'number',
      min: meta.kind === 'int' ? 1 : meta.step,
      max: meta.kind === 'int' ? 10000 : meta.max,
      step: meta.kind === 'int' ? 1 : meta.step,
      placeholder: String(def),
      style: 'width: 70px; margin: 0; height: 28px; padding: 2px 6px',
    });
    input.val(value === undefined || value === null ? def : value);
  }
  input.addClass('node-input-indicator-param').attr('data-param', param).appendTo(wrap);
  return wrap;
}

function prepare(node: EditorNode): void {
  const list = $('#node-input-indicators-container');

  function rowsOf(): Row[] {
    const rows: Row[] = [];
    list.editableList('items').each(function (this: HTMLElement) {
      const api = $(this).data('tradebotRow');
      if (api) rows.push(api);
    });
    return rows;
  }

  /** A base name not used by another row: ema20, ema20_2, … */
  function uniqueName(base: string, self: Row): string {
    const used: Record<string, boolean> = {};
    rowsOf().forEach((r) => {
      if (r !== self) used[r.nameField.val()] = true;
    });
    if (!used[base]) return base;
    for (let k = 2; ; k++) if (!used[base + '_' + k]) return base + '_' + k;
  }

  /** Marks bad names (syntax or duplicate) and bad parameters in every row. */
  function checkRows(): void {
    const count: Record<string, number> = {};
    const rows = rowsOf();
    rows.forEach((r) => {
      const n = r.nameField.val();
      count[n] = (count[n] || 0) + 1;
    });
    rows.forEach((r) => {
      const n = r.nameField.val();
      const e = !INDICATOR_NAME_RE.test(n) ? 'The name ' + NAME_RULE : count[n] > 1 ? 'The name "' + n + '" is used by another indicator' : '';
      markField(r.nameField, e);
      r.check(e);
    });
  }

  list
    .css('min-height', '150px')
    .css('min-width', '450px')
    .editableList({
      addItem: function (container: any, _i: number, opt: any) {
        let row = opt && opt.row ? opt.row : null;
        const fresh = !row;
        if (fresh) row = { type: 'ema' };
        const type = row.type in INDICATOR_DEFAULTS ? row.type : 'ema';

        container.css({ overflow: 'hidden', whiteSpace: 'nowrap' });
        const line1 = $('<div/>', { style: 'display: flex; align-items: center' }).appendTo(container);
        const nameField = $('<input/>', { type: 'text', class: 'node-input-indicator-name', placeholder: 'name in msg.indicators', style: 'width: 150px; margin: 0' }).appendTo(line1);
        $('<span/>', { style: 'margin: 0 8px; color: var(--red-ui-secondary-text-color)' }).text('=').appendTo(line1);
        const typeField = $('<select/>', { class: 'node-input-indicator-type', style: 'flex-grow: 1; width: auto; margin: 0' }).appendTo(line1);
        const groups: Record<string, any> = {};
        INDICATOR_TITLES.forEach((t) => {
          if (!groups[t.group]) groups[t.group] = $('<optgroup/>', { label: t.group }).appendTo(typeField);
          $('<option/>').val(t.type).text(t.label).appendTo(groups[t.group]);
        });
        typeField.val(type);
        const line2 = $('<div/>', { style: 'display: flex; flex-wrap: wrap; align-items: center; padding: 6px 0 0 20px; white-space: normal' }).appendTo(container);
        // What is wrong with the row, in the words of its labels (the red fields alone do not say).
        const errorLine = $('<div/>', {
          class: 'node-input-indicator-error',
          role: 'alert',
          style: 'padding: 2px 0 0 20px; white-space: normal; color: var(--red-ui-text-color-error, #d6615f)',
        })
          .hide()
          .appendTo(container);

        // One parameter block per type, built when first chosen; switching back keeps what was typed.
        const blocks: Record<string, any> = {};
        function block(t: string): any {
          if (!blocks[t]) {
            const defaults = INDICATOR_DEFAULTS[t as keyof typeof INDICATOR_DEFAULTS];
            const b = $('<div/>', { style: 'display: flex; flex-wrap: wrap; align-items: center' }).appendTo(line2);
            const keys = Object.keys(defaults);
            if (keys.length === 0) $('<span/>', { style: 'margin-bottom: 4px; color: var(--red-ui-secondary-text-color)' }).text('no parameters').appendTo(b);
            keys.forEach((p) => paramInput(p, t === row.type ? row[p] : undefined, defaults[p]).appendTo(b));
            b.find('.node-input-indicator-param').on('change keyup input', function (this: HTMLElement) {
              if (PARAMS[$(this).attr('data-param')].kind !== 'select') autoName();
              checkRows();
            });
            blocks[t] = b;
          }
          return blocks[t];
        }

        function currentPeriod(): unknown {
          const p = block(typeField.val()).find('[data-param="period"]');
          return p.length ? p.val() : undefined;
        }

        const api: Row = {
          nameField,
          /** The row as stored: name, type and that type's parameters only, numbers as numbers. */
          collect: () => {
            const t = typeField.val();
            const out: Record<string, unknown> = { name: nameField.val().trim(), type: t };
            const defs = INDICATOR_DEFAULTS[t as keyof typeof INDICATOR_DEFAULTS];
            block(t)
              .find('.node-input-indicator-param')
              .each(function (this: HTMLElement) {
                const p = $(this).attr('data-param');
                const v = $(this).val();
                if (PARAMS[p].kind === 'select') out[p] = v || defs[p];
                else out[p] = v === '' || v === null || !isFinite(Number(v)) ? defs[p] : Number(v);
              });
            return out;
          },
          /** Marks the row's bad parameters, each with its message, and shows the first problem (`nameError` first) under the row. */
          check: (nameError) => {
            const t = typeField.val();
            const b = block(t);
            let first = nameError || '';
            b.find('.node-input-indicator-param').each(function (this: HTMLElement) {
              const el = $(this);
              const e = paramError(el.attr('data-param'), el.val());
              markField(el, e);
              first = first || e;
            });
            // Two parameters that must be in order (MACD fast < slow, SAR step <= max step).
            const pair = t === 'macd' ? (['fast', 'slow', macdOrderError, MACD_ORDER] as const) : t === 'psar' ? (['step', 'maxStep', psarOrderError, PSAR_ORDER] as const) : undefined;
            if (pair) {
              const [lowName, highName, orderError, message] = pair;
              const low = b.find('[data-param="' + lowName + '"]');
              const high = b.find('[data-param="' + highName + '"]');
              if (!paramError(lowName, low.val()) && !paramError(highName, high.val()) && orderError(low.val(), high.val())) {
                markField(low, message);
                markField(high, message);
                first = first || message;
              }
            }
            errorLine.text(first).toggle(!!first);
          },
        };
        container.data('tradebotRow', api);

        // The name follows type and period for as long as the user has not typed their own; a period
        // that is not valid (-5) leaves the name as it was rather than naming the output after it.
        // (Saved with a bad period, the row's name is taken as the one that follows.)
        let lastBase = !fresh && paramError('period', row.period) ? String(row.name || '') : defaultIndicatorName(type, row.period);
        function autoName(): void {
          const period = currentPeriod();
          if (period !== undefined && paramError('period', period)) return;
          const base = defaultIndicatorName(typeField.val(), period);
          if (isAutoName(nameField.val(), lastBase)) nameField.val(uniqueName(base, api));
          lastBase = base;
        }

        function showType(): void {
          Object.keys(blocks).forEach((k) => blocks[k].hide());
          block(typeField.val()).show();
        }
        typeField.on('change', () => {
          showType();
          autoName();
          checkRows();
        });
        nameField.on('change keyup input', checkRows);

        showType();
        nameField.val(fresh ? uniqueName(lastBase, api) : String(row.name || ''));
        checkRows();
        if (fresh) nameField.trigger('focus').trigger('select');
      },
      removeItem: checkRows,
      sortable: true,
      removable: true,
    });

  (Array.isArray(node.indicators) ? node.indicators : []).forEach((row: unknown) => list.editableList('addItem', { row }));
}

export const indicator = () =>
  fromSpec(indicatorSpec, {
    oneditprepare: function () {
      prepare(this);
    },
    oneditsave: function () {
      const node = this;
      node.indicators = [];
      $('#node-input-indicators-container')
        .editableList('items')
        .each(function (this: HTMLElement) {
          const api = $(this).data('tradebotRow');
          if (api) node.indicators.push(api.collect());
        });
    },
    oneditresize: function (size) {
      const rows = $('#dialog-form>div:not(.node-input-indicators-container-row)');
      let height = size.height;
      for (let i = 0; i < rows.length; i++) height -= $(rows[i]).outerHeight(true);
      const editorRow = $('#dialog-form>div.node-input-indicators-container-row');
      height -= parseInt(editorRow.css('marginTop')) + parseInt(editorRow.css('marginBottom'));
      height += 16;
      $('#node-input-indicators-container').editableList('height', height);
    },
  });
