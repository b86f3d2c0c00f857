/** The journal node's dialog: only the fields the chosen query reads are shown. */
import { QUERY_FIELDS, journalSpec } from '../../nodes/tradebot-journal/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

/** The periods a new daily/weekly/monthly query shows (core/journal/queries.ts takes them when empty). */
const COUNT_DEFAULT: Record<string, number> = { daily: 7, weekly: 4, monthly: 6 };

export const journal = () =>
  fromSpec(journalSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
    oneditprepare: function () {
      function showFields(): void {
        const q = $('#node-input-query').val();
        const fields: readonly string[] = (QUERY_FIELDS as Record<string, readonly string[]>)[q] || [];
        ['limit', 'days', 'count', 'symbol'].forEach((f) => $('#tradebot-journal-row-' + f).toggle(fields.includes(f)));
        $('#node-input-count').attr('placeholder', String(COUNT_DEFAULT[q] || ''));
      }
      $('#node-input-query').on('change', showFields);
      showFields();
    },
  });
