/** The database config node's settings (see nodes/shared/spec.ts): URL, TLS and schema rules from core/journal/database-url.ts. */
import { DATABASE_SCHEMA_RE, DEFAULT_DATABASE_SCHEMA, TLS_MODES, URL_EXAMPLE, urlProblem } from '../../core/journal/database-url';
import type { NodeSpec } from '../shared/spec';
import { nameField } from '../shared/spec-fields';

export interface DatabaseConfig {
  name: string;
  url: string;
  tls: (typeof TLS_MODES)[number];
  ca: string;
  schema: string;
}

/** What is wrong with the URL, as the runtime checks it (never repeats a password), or undefined. */
export function databaseUrlError(v: unknown): string | undefined {
  const url = String(v ?? '').trim();
  return url === '' ? `required: the server and database, such as ${URL_EXAMPLE}` : urlProblem(url);
}

/** "postgres://user@host:5432/db" -> "host:5432/db". */
export function hostOf(url: unknown): string {
  const m = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^?#]+)/.exec(String(url ?? '').trim());
  return m ? m[1]! : String(url ?? '');
}

export const databaseSpec: NodeSpec<DatabaseConfig> = {
  type: 'tradebot-database',
  category: 'config',
  color: '',
  paletteLabel: 'database',
  icon: '',
  inputs: 0,
  outputs: 0,
  defaults: {
    name: nameField,
    url: { value: URL_EXAMPLE, label: 'URL', check: (v) => { const e = databaseUrlError(v); return e === undefined || (/^(must|contains|takes) /.test(e) ? e : ': ' + e); } },
    tls: { value: 'off', label: 'TLS', check: (v) => v === '' || v === undefined || (TLS_MODES as readonly string[]).includes(v) || 'must be off, require or verify' },
    ca: { value: '' },
    schema: {
      value: DEFAULT_DATABASE_SCHEMA,
      label: 'Schema',
      check: (v) => {
        const s = String(v ?? '').trim();
        return s === '' || DATABASE_SCHEMA_RE.test(s) || 'must hold lower-case letters, digits and _ only, not starting with a digit';
      },
    },
  },
  defaultName: (c) => 'PostgreSQL ' + hostOf(c.url || URL_EXAMPLE),
};
