/**
 * The database node's URL, TLS modes and schema name as the runtime takes them. No zod, no node
 * modules here: the editor bundle checks the dialog's fields with the same rules.
 */

export const URL_EXAMPLE = 'postgres://127.0.0.1:5432/tradebot';
export const TLS_MODES = ['off', 'require', 'verify'] as const;
export const DEFAULT_DATABASE_SCHEMA = 'tradebot';
/** A PostgreSQL schema name the journal's tables may live in. */
export const DATABASE_SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/** Why a URL cannot be used, or undefined. Never repeats the URL (it may hold a password). */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `must be a postgres:// URL such as ${URL_EXAMPLE}`;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `must start with postgres:// or postgresql://, such as ${URL_EXAMPLE}`;
  if (url.password) return 'contains a password: the URL is saved and exported with the flow. Remove the password from the URL and type it in the Password field (a Node-RED credential)';
  if (!url.hostname) return `must name the server, such as ${URL_EXAMPLE}`;
  if (url.search || url.hash) return 'takes no ?options: TLS is set in the TLS field, the schema in the Schema field';
  const db = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!db || db.includes('/')) return `must name one database after the server, such as ${URL_EXAMPLE}`;
  return undefined;
}

