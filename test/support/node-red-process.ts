/**
 * A REAL Node-RED process for end-to-end tests: `node node-red/red.js` as a child process (not
 * node-red-node-test-helper), with a user dir of its own into which this package is linked the
 * way `npm start` (scripts/start.js) links it, and the settings `npm start` uses
 * (scripts/node-red-settings.js: port from PORT, flows.json, log level from LOG_LEVEL).
 *
 * The process is Node-RED itself (no npm, no shell, no start.js in between), so kill('SIGKILL')
 * kills exactly the runtime, as a crash or an OOM kill would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/** The repo root: dist/test/support -> ../../.. */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
const PACKAGE_NAME = 'node-red-contrib-tradebot';
const SETTINGS = path.join(ROOT, 'scripts', 'node-red-settings.js');

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** A fresh temporary user dir with this package linked into node_modules (as scripts/start.js does). */
export function makeUserDir(prefix = 'tradebot-e2e-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
  // Listed as a dependency, as npm and the palette manager list it: a function node's Setup > Modules
  // (node-red-contrib-tradebot/signal) loads only packages the user dir's package.json names.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'tradebot-e2e-user-dir', private: true, dependencies: { [PACKAGE_NAME]: `file:${ROOT}` } }, null, 2));
  return dir;
}

/** Removes a user dir made by makeUserDir; the package link goes first, so nothing can recurse into the repo. */
export function removeUserDir(dir: string | undefined): void {
  if (!dir) return;
  try {
    fs.unlinkSync(path.join(dir, 'node_modules', PACKAGE_NAME));
  } catch {
    /* already gone */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export function writeFlow(userDir: string, flow: FlowNode[]): void {
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
}

export interface StartOptions {
  userDir: string;
  /** Written to <userDir>/flows.json before the start; omitted: the flow file stays as it is. */
  flow?: FlowNode[];
  /** Default: a free port. */
  port?: number;
  /** Milliseconds to wait for "Started flows" (default 30 s). */
  startTimeoutMs?: number;
  /** Environment over the test's own; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** The settings file (default: scripts/node-red-settings.js, the one `npm start` uses); it should take the port from PORT. */
  settings?: string;
  /**
   * Another start than `node red.js --userDir <userDir> --settings <settings>`, e.g. the Docker
   * image's entrypoint script. It must end up as Node-RED itself (`exec`), so that stop() and
   * kill() reach the runtime; userDir is then only where `flow` is written.
   */
  command?: { file: string; args: string[]; cwd: string };
}

/**
 * Node-RED's command line (red.js): of the dev dependency, or of the install TRADEBOT_NODE_RED_PATH
 * points at (its lib/red.js, as test/support/node-red.ts takes it), to run these tests on another
 * Node-RED release.
 */
function redJs(): string {
  const other = process.env.TRADEBOT_NODE_RED_PATH;
  return other ? path.join(path.dirname(path.dirname(other)), 'red.js') : require.resolve('node-red/red.js');
}

export class NodeRedProcess {
  /** stdout and stderr, as they arrive. */
  log = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.log += d));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  /** Spawns Node-RED and resolves once the admin API answers and the runtime logged "Started flows". */
  static async start(o: StartOptions): Promise<NodeRedProcess> {
    if (o.flow) writeFlow(o.userDir, o.flow);
    const port = o.port ?? (await freePort());
    const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...o.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const [file, args, cwd] = o.command ? [o.command.file, o.command.args, o.command.cwd] : [process.execPath, [redJs(), '--userDir', o.userDir, '--settings', o.settings ?? SETTINGS], o.userDir];
    const child = spawn(file, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const red = new NodeRedProcess(child, port);
    try {
      await red.waitStarted(o.startTimeoutMs ?? 30_000);
    } catch (err) {
      await red.stop();
      throw err;
    }
    return red;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private async waitStarted(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let apiUp = false;
    for (;;) {
      if (!this.running) throw new Error(`Node-RED exited during start-up (code ${this.child.exitCode}, signal ${this.child.signalCode}):\n${this.log}`);
      if (/Waiting for missing types/.test(this.log)) {
        await new Promise((r) => setTimeout(r, 300));
        throw new Error(`Node-RED is waiting for missing node types:\n${this.log}`);
      }
      // With adminAuth on, the admin API answers 401 without a token: up all the same.
      if (!apiUp) apiUp = await fetch(`${this.base}/flows`).then((r) => r.ok || r.status === 401, () => false);
      if (apiUp && /Started flows/.test(this.log)) return;
      if (Date.now() > deadline) throw new Error(`Node-RED did not start within ${timeoutMs / 1000} s (admin API up: ${apiUp}):\n${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends a signal and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (Node-RED closes its nodes), SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** POST with a JSON body to the runtime (admin API or an http-in endpoint of the flow). */
  async post(urlPath: string, body?: unknown): Promise<Response> {
    return fetch(`${this.base}${urlPath}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async getJson<T = any>(urlPath: string): Promise<T> {
    const res = await fetch(`${this.base}${urlPath}`, { headers: { Accept: 'application/json' } });
    return (await res.json()) as T;
  }

  /** Lines of the Node-RED log at level error. */
  errors(): string[] {
    return this.log.split('\n').filter((l) => /\[error\]/.test(l));
  }
}

/** Every process still running: killAll() in an after hook cleans up even when a test failed. */
const live = new Set<NodeRedProcess>();

export async function killAllNodeRed(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill('SIGKILL')));
}
