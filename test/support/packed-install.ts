/**
 * The package installed the way a user installs it: `npm pack` (exactly the tarball that would be
 * published), then `npm install <tarball>` into a fresh Node-RED user dir (no link to this working
 * tree), with a settings.js of its own. Node-RED itself comes from this repo's dev dependencies and
 * is started by NodeRedProcess with `settings: packed.settings`.
 *
 * npm install runs with --offline (the packages come from npm's cache, which `npm ci` filled);
 * when the cache lacks something it is retried online. --ignore-scripts as in the Dockerfile.
 * `npm test` has built dist/ already; run `npm run build` first when running a suite alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './node-red-process';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const BIG = 64 * 1024 * 1024;

export const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  'node-red': { nodes: Record<string, string> };
};

export interface PackedUserDir {
  /** The temporary folder holding the tarball and the user dir; remove() deletes it. */
  tmp: string;
  userDir: string;
  tarball: string;
  /** npm install's stderr (warnings), for assertion messages. */
  installLog: string;
  /** <userDir>/settings.js: pass it as NodeRedProcess.start({ settings }). */
  settings: string;
  /** Where the package landed: <userDir>/node_modules/<name>. */
  installed: string;
  remove(): void;
}

export interface PackedOptions {
  /** Folder name prefix under the OS temp dir. */
  prefix?: string;
  /** Copied to <userDir>/flows.json (default: none, Node-RED starts with an empty flow). */
  flowFile?: string;
  /** Merged over the settings written to settings.js (JSON values only). */
  settings?: Record<string, unknown>;
}

/** `npm pack` of this repo into dest: the path of the tarball, the one `npm publish` would upload. */
export async function packTarball(dest: string): Promise<string> {
  const packed = await run(NPM, ['pack', '--json', '--pack-destination', dest], { cwd: ROOT, maxBuffer: BIG });
  const tarball = path.join(dest, JSON.parse(packed.stdout)[0].filename as string);
  assert.ok(fs.existsSync(tarball), `npm pack made no tarball at ${tarball}`);
  return tarball;
}

/**
 * `npm install <args>` in cwd, --offline (from npm's cache) first, then, when the cache lacks
 * something, the same install from the registry. Resolves to npm's stderr (its warnings).
 */
export async function npmInstall(cwd: string, args: string[]): Promise<string> {
  try {
    return (await run(NPM, ['install', ...args, '--offline'], { cwd, maxBuffer: BIG })).stderr;
  } catch (offline) {
    const first = `offline install failed: ${(offline as Error).message}\n`;
    return first + (await run(NPM, ['install', ...args], { cwd, maxBuffer: BIG, timeout: 180_000 })).stderr;
  }
}

/**
 * npmInstall for a suite that needs `what` (a package the repo does not depend on at run time):
 * when npm has it neither in its cache nor from the registry, the suite skips locally with a
 * message and fails in CI (CI=true), as the browser and Redis suites do.
 */
export async function npmInstallOrSkip(ctx: Mocha.Context, cwd: string, args: string[], what: string, suite: string): Promise<string> {
  try {
    return await npmInstall(cwd, args);
  } catch (err) {
    const npmErrors = (err as Error).message.split('\n').filter((l) => /^npm (error|ERR!)/.test(l));
    const why = `${what} could not be installed from npm's cache nor from the registry: ${npmErrors.slice(0, 3).join(' ') || (err as Error).message.split('\n')[0]}`;
    if (process.env.CI) throw new Error(`the ${suite} test needs ${what} in CI: ${why}`);
    console.log(`      SKIPPED: ${why}; the ${suite} did not run`);
    return ctx.skip();
  }
}

/** Packs the package, installs the tarball into a fresh user dir and writes its settings.js. */
export async function installPacked(o: PackedOptions = {}): Promise<PackedUserDir> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), o.prefix ?? 'tradebot-pack-'));
  const remove = () => fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const userDir = path.join(tmp, 'user');
    fs.mkdirSync(userDir);
    const tarball = await packTarball(tmp);

    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'tradebot-packed-user-dir', private: true }, null, 2));
    const installLog = await npmInstall(userDir, ['--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball]);
    if (o.flowFile) fs.copyFileSync(o.flowFile, path.join(userDir, 'flows.json'));
    const settings = path.join(userDir, 'settings.js');
    const values = {
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: 'packed-install-test',
      diagnostics: { enabled: false },
      telemetry: { enabled: false },
      // No catalogue download for the palette manager: the tests' editor makes no request off the machine.
      editorTheme: { tours: false, palette: { catalogues: [] } },
      logging: { console: { level: 'info', metrics: false, audit: false } },
      ...o.settings,
    };
    // The port comes from PORT (NodeRedProcess sets it to a free one).
    fs.writeFileSync(settings, `module.exports = Object.assign(${JSON.stringify(values, null, 2)}, { uiPort: Number(process.env.PORT) });\n`);
    return { tmp, userDir, tarball, installLog, settings, installed: path.join(userDir, 'node_modules', PKG.name), remove };
  } catch (err) {
    remove();
    throw err;
  }
}
