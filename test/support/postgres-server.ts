/**
 * A real PostgreSQL server for the tests, from the Debian packages (`postgresql`, binaries in
 * /usr/lib/postgresql/<version>/bin): a fresh cluster in a temporary directory (initdb, a user
 * `tradebot` with a password and scram-sha-256 authentication), listening on 127.0.0.1 on a free
 * port, stopped afterwards. It can be stopped and started again on the same data (the outage test).
 *
 * initdb and postgres refuse to run as root. When the tests run as root (a container, CI) both
 * run as the `postgres` user the Debian package creates: spawned with its uid and gid (Node's
 * spawn option, no su/runuser in between, so stopping the child stops the server itself), in a
 * directory chowned to it.
 *
 * Without the binaries the PostgreSQL suites skip with a clear message, except in CI (CI set),
 * where PostgreSQL is required (.ci/run installs it) and its absence fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, type PoolConfig } from 'pg';
import { freePort } from './free-port';

/** The newest installed server's bin directory, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'postgres'))) return bin;
  }
  // Another layout (a build from source, Homebrew): pg_config on the PATH says where.
  const which = spawnSync('sh', ['-c', 'pg_config --bindir 2>/dev/null'], { encoding: 'utf8' });
  const bin = which.stdout?.trim();
  if (bin && fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'postgres'))) return bin;
  return undefined;
}

/** The user the server runs as when we are root (initdb refuses root), or why there is none. */
function serverUser(): { uid: number; gid: number } | string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return 'running as root, and there is no "postgres" user to run the server as (the Debian package creates it)';
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Why no server can be started here, or undefined when one can. */
export function postgresUnavailable(): string | undefined {
  if (!postgresBinDir()) return 'PostgreSQL is not installed (apt-get install postgresql: initdb and postgres in /usr/lib/postgresql/<version>/bin)';
  const user = serverUser();
  if (typeof user === 'string') return user;
  return undefined;
}

/** Call in a describe's before(): skips the suite without PostgreSQL (or, for TLS, openssl), fails in CI. */
export function requirePostgres(ctx: Mocha.Context, o: PostgresServerOptions = {}): void {
  const reason = postgresUnavailable() ?? (o.tls && spawnSync('openssl', ['version']).status !== 0 ? 'openssl is not installed (it makes the TLS test certificate)' : undefined);
  if (!reason) return;
  if (process.env.CI) throw new Error(`PostgreSQL is required in CI (.ci/run installs the Debian package postgresql): ${reason}`);
  console.log(`      SKIPPED: ${reason}; the PostgreSQL suite did not run`);
  ctx.skip();
}

const running = new Set<ChildProcess>();
// A test run that ends abruptly (mocha --exit, a crash) must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
});

export interface PostgresServerOptions {
  /**
   * Serve TLS too, with a self-signed certificate for 127.0.0.1 made by openssl (`caFile` is it).
   * Plain connections stay allowed, so one server tests every TLS setting.
   */
  tls?: boolean;
}

export class PostgresServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-pg-'));
  readonly user = 'tradebot';
  /** Fresh per server: a test can look for it in every text and know it never leaked. */
  readonly password = `pg-${randomBytes(12).toString('hex')}`;
  readonly database = 'tradebot';
  port = 0;
  private child: ChildProcess | undefined;
  private initialised = false;
  private readonly bin = postgresBinDir();
  private readonly runAs = serverUser();

  constructor(private readonly options: PostgresServerOptions = {}) {}

  /** With `tls`: the server's self-signed certificate, which is its own CA. */
  get caFile(): string {
    return path.join(this.dir, 'server.crt');
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** The URL a tradebot-database node is given (no password: that is a credential). */
  get url(): string {
    return `postgres://127.0.0.1:${this.port}/${this.database}`;
  }

  /** For a pg Pool or Client in the test itself. */
  connection(database = this.database): PoolConfig {
    return { host: '127.0.0.1', port: this.port, user: this.user, password: this.password, database };
  }

  async start(): Promise<void> {
    if (!this.bin) throw new Error(postgresUnavailable());
    if (typeof this.runAs === 'string') throw new Error(this.runAs);
    if (!this.port) this.port = await freePort();
    if (!this.initialised) await this.initdb();
    const log = fs.openSync(path.join(this.dir, 'postgres.log'), 'a');
    this.child = spawn(
      path.join(this.bin, 'postgres'),
      [
        '-D', this.dataDir,
        '-h', '127.0.0.1',
        '-p', String(this.port),
        '-k', this.dir,
        // A test server: speed over durability.
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'shared_buffers=16MB',
        '-c', 'max_connections=40',
        ...(this.options.tls ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${this.caFile}`, '-c', `ssl_key_file=${path.join(this.dir, 'server.key')}`] : []),
      ],
      { stdio: ['ignore', log, log], ...this.asServerUser() },
    );
    fs.closeSync(log);
    running.add(this.child);
    const child = this.child;
    child.once('exit', () => running.delete(child));
    await this.waitReady();
    if (!this.initialised) {
      const client = new Client(this.connection('postgres'));
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${this.database}`);
      } finally {
        await client.end();
      }
      this.initialised = true;
    }
  }

  /** Stops the server (a fast shutdown: sessions are ended, as `pg_ctl stop` does); the data stays for the next start. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The server's log, for a failing test's message. */
  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'postgres.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private asServerUser(): { uid?: number; gid?: number } {
    return this.runAs && typeof this.runAs === 'object' ? { uid: this.runAs.uid, gid: this.runAs.gid } : {};
  }

  private async initdb(): Promise<void> {
    const pwfile = path.join(this.dir, 'pwfile');
    fs.writeFileSync(pwfile, `${this.password}\n`, { mode: 0o600 });
    const as = this.asServerUser();
    if (as.uid !== undefined) {
      for (const p of [this.dir, pwfile]) fs.chownSync(p, as.uid, as.gid!);
    }
    const result = spawnSync(
      path.join(this.bin!, 'initdb'),
      ['-D', this.dataDir, '-U', this.user, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync'],
      { encoding: 'utf8', ...as },
    );
    fs.rmSync(pwfile, { force: true });
    if (result.status !== 0) throw new Error(`initdb failed (${result.status}): ${result.stderr || result.error?.message}`);
    if (this.options.tls) this.makeCertificate();
  }

  /** A self-signed certificate naming 127.0.0.1 (the server refuses a key others can read). */
  private makeCertificate(): void {
    const key = path.join(this.dir, 'server.key');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', this.caFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl could not make the test certificate: ${made.stderr || made.error?.message}`);
    fs.chmodSync(key, 0o600);
    const as = this.asServerUser();
    if (as.uid !== undefined) for (const f of [key, this.caFile]) fs.chownSync(f, as.uid, as.gid!);
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const client = new Client({ ...this.connection('postgres'), connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
      }
      if (this.child?.exitCode !== null || Date.now() > deadline) {
        throw new Error(`PostgreSQL on ${this.port} did not start:\n${this.log().split('\n').slice(-10).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
