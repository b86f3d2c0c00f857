/**
 * A real redis-server for the tests, started on a free port in a temporary directory and
 * stopped afterwards; it can be restarted (the same port and data) to test a Redis restart.
 * Without redis-server on the machine the Redis suites skip with a clear message, except in CI
 * (CI=true), where it is required and its absence fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export function redisServerPath(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return found || (fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
}

/** Call in a describe's before(): skips the suite without redis-server, fails in CI. */
export function requireRedis(ctx: Mocha.Context): void {
  if (redisServerPath()) return;
  if (process.env.CI) throw new Error('redis-server is required in CI (.ci/run installs the Debian package redis-server)');
  console.log('      SKIPPED: redis-server is not installed (apt-get install redis-server); the Redis suite did not run');
  ctx.skip();
}

export class RedisServer {
  private child: ChildProcess | undefined;
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-redis-'));
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const bin = redisServerPath();
    if (!bin) throw new Error('redis-server not found');
    this.child = spawn(bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--protected-mode', 'yes'], { stdio: 'ignore' });
    await this.waitUntil(true);
  }

  /** Stops the server (SIGTERM); its data stays for the next start. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await this.waitUntil(false);
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntil(up: boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(this.port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      });
      if (open === up) return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not ${up ? 'start' : 'stop'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
