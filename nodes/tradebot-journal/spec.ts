/** The journal node's settings (see nodes/shared/spec.ts): the queries and their fields from core/journal/queries.ts. */
import { QUERY_FIELDS, QUERY_NAMES, parseJournalQuery, type QueryName } from '../../core/journal/queries';
import type { FieldCheck, NodeSpec } from '../shared/spec';
import { accepts, exchangeField, nameField } from '../shared/spec-fields';
import { blank } from '../shared/spec';

export interface JournalConfig {
  name: string;
  exchange: string;
  query: QueryName;
  limit: string | number;
  days: string | number;
  count: string | number;
  symbol: string;
}

/** A field of a query as the runtime reads it (core parseJournalQuery); empty takes the query's default. */
function queryField(field: 'limit' | 'days' | 'count' | 'symbol', query: QueryName, words: string): FieldCheck {
  return (v) => blank(v) || accepts(() => parseJournalQuery({ query, [field]: field === 'symbol' ? String(v).trim() : v })) || words;
}

export const journalSpec: NodeSpec<JournalConfig> = {
  type: 'tradebot-journal',
  category: 'tradebot',
  color: '#B5838D',
  paletteLabel: 'journal',
  icon: 'font-awesome/fa-book',
  inputs: 1,
  outputs: 1,
  inputLabels: 'any message: runs the query (msg.payload may name another one)',
  outputLabels: 'rows (msg.payload), query name (msg.topic)',
  defaults: {
    name: nameField,
    exchange: exchangeField(),
    query: { value: 'trades', label: 'Query', check: (v) => (QUERY_NAMES as readonly string[]).includes(v) || 'must be one of ' + QUERY_NAMES.join(', ') },
    limit: { value: '', label: 'Trades', check: queryField('limit', 'trades', 'must be a whole number from 1 to 10000, or empty') },
    days: { value: '', label: 'Days', check: queryField('days', 'profit', 'must be a whole number from 1 to 36500, or empty') },
    count: { value: '', label: 'Periods', check: queryField('count', 'daily', 'must be a whole number from 1 to 366, or empty') },
    symbol: { value: '', label: 'Symbol', check: queryField('symbol', 'trades', 'must look like BASE/QUOTE, for example BTC/USDT, or empty') },
  },
  defaultName: (c) => 'journal: ' + (c.query || 'trades'),
};

export { QUERY_FIELDS };
