/**
 * The settings of a tradebot-database node (docs/databases.md): which PostgreSQL server, who
 * logs in, TLS, and the schema the journal's tables live in. The password is a Node-RED
 * credential and nothing else: a URL with a password in it is refused (it would be saved and
 * exported with the flow), and no text made from these settings ever contains it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PoolConfig } from 'pg';
import { z } from 'zod';
import { zodError } from '../contract';

import { DATABASE_SCHEMA_RE, DEFAULT_DATABASE_SCHEMA, TLS_MODES, URL_EXAMPLE, urlProblem } from './database-url';

const blankToUndefined = (v: unknown) => (v === '' || v === null || v === undefined ? undefined : v);

export { TLS_MODES, URL_EXAMPLE };
export type TlsMode = (typeof TLS_MODES)[number];

export const DatabaseSettingsSchema = z
  .object({
    url: z
      .string({ error: `required: the server and database, such as ${URL_EXAMPLE}` })
      .trim()
      .min(1, `required: the server and database, such as ${URL_EXAMPLE}`)
      .superRefine((text, ctx) => {
        const problem = urlProblem(text);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** The PostgreSQL user; a user name in the URL is taken when this is empty. */
    user: z.preprocess(blankToUndefined, z.string().trim().optional()),
    password: z.preprocess(blankToUndefined, z.string().optional()),
    /** off: plain TCP; require: encrypted, the certificate not checked; verify: encrypted and the certificate and host name checked (verify-full). */
    tls: z.preprocess(blankToUndefined, z.enum(TLS_MODES, { error: 'must be off, require or verify' }).default('off')),
    /** verify only: a CA certificate file (PEM) when the server's is not signed by a CA the system trusts. */
    ca: z.preprocess(blankToUndefined, z.string().trim().optional()),
    /** The PostgreSQL schema of the journal's tables: several bots (or test setups) on one database each take their own. */
    schema: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .regex(DATABASE_SCHEMA_RE, 'lower-case letters, digits and _ only, not starting with a digit (at most 63)')
        .default(DEFAULT_DATABASE_SCHEMA),
    ),
  })
  .superRefine((s, ctx) => {
    if (!s.user && !userInUrl(s.url)) ctx.addIssue({ code: 'custom', path: ['user'], message: 'required: the PostgreSQL user the journal logs in as' });
    if (s.ca && s.tls !== 'verify') ctx.addIssue({ code: 'custom', path: ['ca'], message: 'a CA file is only read with TLS "verify"' });
  });

export type DatabaseSettings = z.infer<typeof DatabaseSettingsSchema>;

export function parseDatabaseSettings(input: unknown): DatabaseSettings {
  const result = DatabaseSettingsSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, 'database');
  return result.data;
}

function userInUrl(text: string): string | undefined {
  try {
    const u = new URL(text);
    return u.username ? decodeURIComponent(u.username) : undefined;
  } catch {
    // Not a URL: no user in it; the schema refuses the URL itself, naming the field.
    return undefined;
  }
}

interface Target {
  host: string;
  port: number;
  database: string;
  user: string;
}

function target(s: DatabaseSettings): Target {
  const url = new URL(s.url);
  return {
    // [::1] -> ::1
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    user: s.user ?? userInUrl(s.url)!,
  };
}

/** Where the journal's rows go, for statuses, health and logs: `postgresql://user@host:port/db`, never the password. */
export function databaseLocation(s: DatabaseSettings): string {
  const t = target(s);
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `postgresql://${encodeURIComponent(t.user)}@${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

/**
 * The connection pool's settings. A few connections (the journal writes in batches, one
 * transaction at a time per account); failing fast when the server does not answer, so the
 * journal's queue, not a hanging connect, holds the rows while it is down.
 * `baseDir`: where a relative CA path starts (the Node-RED user directory).
 */
export function poolConfig(s: DatabaseSettings, baseDir = process.cwd()): PoolConfig {
  const t = target(s);
  let ssl: PoolConfig['ssl'] = false;
  if (s.tls === 'require') ssl = { rejectUnauthorized: false };
  else if (s.tls === 'verify') {
    let ca: string | undefined;
    if (s.ca) {
      const file = path.resolve(baseDir, s.ca);
      try {
        ca = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`database.ca: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    // Node's TLS checks the chain and that the certificate names the host: libpq's verify-full.
    ssl = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  }
  return {
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    ...(s.password !== undefined ? { password: s.password } : {}),
    ssl,
    max: 4,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // The server ends a statement after 10 s; the client gives up on an answer a little later
    // (a server that vanished without closing the connection).
    statement_timeout: 10_000,
    query_timeout: 15_000,
    keepAlive: true,
    application_name: 'tradebot',
  };
}
