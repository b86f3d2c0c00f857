/**
 * Which journal query a message asks (the journal node): the node's settings give a default query,
 * a message may ask another one. Errors name the field ("msg.payload.limit", "journal.days").
 */
import { parseJournalQuery, QUERY_FIELDS, QUERY_NAMES, type JournalQuery, type QueryName } from './queries';

/** The journal node's settings for its default query (editor fields arrive as text). */
export interface QuerySettings {
  query?: unknown;
  limit?: unknown;
  days?: unknown;
  count?: unknown;
  symbol?: unknown;
}

/** The fields of each query that the node's settings can set: those the query takes. */
const SETTING_FIELDS = QUERY_FIELDS;

/**
 * The node's default query. The editor keeps every field whatever the query (so switching back and
 * forth loses nothing); only the chosen query's fields are read, and empty ones take the defaults.
 */
export function configuredQuery(s: QuerySettings): JournalQuery {
  const name = s.query === undefined || s.query === '' ? 'trades' : s.query;
  const input: Record<string, unknown> = { query: name };
  if (typeof name === 'string' && (QUERY_NAMES as readonly string[]).includes(name)) {
    for (const field of SETTING_FIELDS[name as QueryName]) {
      const v = s[field];
      if (v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '')) input[field] = typeof v === 'string' ? v.trim() : v;
    }
  }
  return parseJournalQuery(input, 'journal');
}

/**
 * The query a message asks. msg.payload that is a query name ("daily") or an object with `query`
 * ({query: "trades", limit: 20}) is that query, checked (an unknown name or field is an error
 * naming it). Anything else (an inject's timestamp, an empty string, no payload, an object without
 * `query` such as another node's report) is a trigger: the node's configured query runs.
 */
export function messageQuery(payload: unknown, configured: JournalQuery): JournalQuery {
  if (typeof payload === 'string') return payload.trim() ? parseJournalQuery(payload, 'msg.payload') : configured;
  if (payload && typeof payload === 'object' && !Array.isArray(payload) && 'query' in payload) return parseJournalQuery(payload, 'msg.payload');
  return configured;
}
