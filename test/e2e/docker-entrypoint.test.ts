/**
 * The Docker image's start (scripts/docker-entrypoint.sh, the Dockerfile's ENTRYPOINT) outside
 * Docker, on the image's layout (test/support/docker-image.ts: Node-RED and our packed tarball
 * installed by npm in a "node-red dir", an empty "data dir" for the /data volume), with the real
 * Node-RED. Checked as a user sees it: the first start seeds the default flow, and example 19
 * (a strategy in a function node loading node-red-contrib-tradebot/signal through Setup >
 * Modules) deployed into it makes signals and orders; the package is loaded once, from the user
 * dir's link, without a warning; an npm install into the data dir (the palette manager's, for
 * another package) keeps the link; a second start changes nothing and example 19 still trades.
 * Then the script's choices on a data dir that has a copy of the package of its own.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DebugSidebar } from '../support/debug-sidebar';
import { ENTRYPOINT, buildImageDirs, entrypointEnv, imageShell, type ImageDirs } from '../support/docker-image';
import { NodeRedProcess, ROOT, killAllNodeRed, type FlowNode } from '../support/node-red-process';
import { PKG, npmInstall } from '../support/packed-install';
import { waitFor } from '../support/wait';

const run = promisify(execFile);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const EX19 = readJson(path.join(ROOT, 'examples', '19 Strategy in a function node.json')) as FlowNode[];
const debugNode = (name: string) => EX19.find((n) => n.type === 'debug' && n.name === name)!;
const SHELL = imageShell();

describe(`Docker entrypoint (scripts/docker-entrypoint.sh, run by ${[SHELL.file, ...SHELL.args].join(' ')}) on the image layout, real Node-RED`, function () {
  this.timeout(240_000);
  let dirs: ImageDirs | undefined;
  let red: NodeRedProcess | undefined;
  let sidebar: DebugSidebar | undefined;
  let link: string;
  let packageJson: string;

  /** `docker run` of the image: the entrypoint with the image's FLOWS, the port from PORT, loopback only (an argument passed on to Node-RED). */
  const start = () =>
    NodeRedProcess.start({
      userDir: dirs!.dataDir,
      command: { file: SHELL.file, args: [...SHELL.args, ENTRYPOINT, '-D', 'uiHost=127.0.0.1'], cwd: dirs!.nodeRedDir },
      env: entrypointEnv(dirs!),
      startTimeoutMs: 90_000,
    });

  const stop = async () => {
    sidebar?.close();
    sidebar = undefined;
    await red?.stop();
    red = undefined;
  };

  /** Node-RED's list of our node sets, and the module's path as Node-RED loaded it. */
  const loadedPackage = async () => {
    const sets = (await red!.getJson<Array<{ module: string; name: string; enabled: boolean; err?: string }>>('/nodes')).filter((s) => s.module === PKG.name);
    const info = await red!.getJson<{ path?: string; version?: string }>(`/nodes/${PKG.name}`);
    return { sets, info };
  };

  /** Example 19's signals and orders in the debug sidebar; deployed first as the editor deploys it (a full deploy) when `deploy`. */
  const seeExample19Trade = async (deploy: boolean) => {
    sidebar = await DebugSidebar.open(red!.port);
    if (deploy) {
      const res = await red!.post('/flows', EX19);
      assert.equal(res.status, 204, await res.text());
    }
    await waitFor(() => sidebar!.of(debugNode('orders')).length > 0, 90_000, `an order of example 19 (signals: ${sidebar!.of(debugNode('signals')).length}, errors: ${JSON.stringify(sidebar!.of(debugNode('errors')))})\n${red!.log}`);
    const signal = sidebar.of(debugNode('signals'))[0];
    assert.equal(signal.kind, 'signal');
    assert.equal(signal.strategy, 'close vs SMA 20', 'the signal made by the function node with node-red-contrib-tradebot/signal');
    assert.match(signal.id, /^sig-[0-9a-f]{24}$/);
    assert.ok(sidebar.of(debugNode('signals')).some((s) => s.id === sidebar!.of(debugNode('orders'))[0].signalId), 'the order came from a signal of the function node');
    assert.deepEqual(sidebar.of(debugNode('errors')), []);
    // Node-RED installs a function node's module it does not know from the registry: it must not have tried.
    assert.doesNotMatch(red!.log, /Installing module|Module not allowed|install-failed/i, red!.log);
  };

  /**
   * Warnings and errors of the log, but Node-RED's own notes on the image's settings (a
   * system-generated credential key, no credentials file yet, projects off) and the error of
   * GET /flows asked before the flows are loaded (NodeRedProcess polls it to see the start).
   */
  const unexpectedWarnings = () => {
    const lines = red!.log.split('\n');
    const flowsStart = lines.findIndex((l) => /Starting flows/.test(l));
    return lines
      .filter((l, i) => !(i < flowsStart && /\[error\] TypeError: Cannot read properties of null \(reading 'flows'\)/.test(l)))
      .filter((l) => /\[(warn|error)\]/.test(l))
      .filter((l) => !/Projects disabled|Encrypted credentials not found|^\S.*\[warn\]\s*$/.test(l));
  };

  before(async function () {
    this.timeout(300_000);
    dirs = await buildImageDirs(this, 'Docker entrypoint');
    link = path.join(dirs.dataDir, 'node_modules', PKG.name);
    packageJson = path.join(dirs.dataDir, 'package.json');
  });

  after(async function () {
    await stop();
    await killAllNodeRed();
    dirs?.remove();
  });

  it('first start on an empty data dir: the default flow seeded, the package listed and linked, loaded once from the link, no warning', async function () {
    red = await start();
    assert.deepEqual(readJson(path.join(dirs!.dataDir, 'flows.json')), readJson(path.join(ROOT, 'flows', 'default-flow.json')), 'the default flow as /data/flows.json');
    const pkg = readJson(packageJson);
    assert.equal(pkg.name, 'node-red-project', 'package.json as Node-RED writes it into a new user dir');
    assert.deepEqual(pkg.dependencies, { [PKG.name]: `file:${dirs!.imageCopy}` });
    assert.ok(fs.lstatSync(link).isSymbolicLink(), `${link} is a link`);
    assert.equal(fs.readlinkSync(link), dirs!.imageCopy);

    const { sets, info } = await loadedPackage();
    assert.equal(info.version, PKG.version);
    assert.equal(info.path, link, 'Node-RED took the package from the user dir (its copy in Node-RED\'s node_modules is ignored)');
    assert.equal(sets.length, new Set(sets.map((s) => s.name)).size, 'each node set once');
    assert.deepEqual(sets.filter((s) => !s.enabled || s.err), [], 'every node set loaded');
    assert.ok(sets.length > 0);
    assert.doesNotMatch(red.log, /already registered|\[node-red-contrib-tradebot\/[^\]]*\]/, red.log);
    assert.match(red.log, /^tradebot: node-red-contrib-tradebot of the image listed in .*package\.json and linked/);
    assert.deepEqual(unexpectedWarnings(), [], red.log);
  });

  it('example 19 deployed: its function node loads node-red-contrib-tradebot/signal, signals and orders', async function () {
    await seeExample19Trade(true);
  });

  it('an npm install into the data dir (as the palette manager installs another package) keeps the entry and the link', async function () {
    await stop();
    // The palette manager's command (@node-red/registry installer.js); mustache is in npm's cache (a dependency of ours).
    await npmInstall(dirs!.dataDir, ['--no-audit', '--no-update-notifier', '--no-fund', '--save', '--save-prefix=~', '--omit=dev', '--engine-strict', 'mustache@4.2.0']);
    const pkg = readJson(packageJson);
    assert.equal(pkg.dependencies[PKG.name], `file:${dirs!.imageCopy}`);
    assert.equal(pkg.dependencies.mustache, '~4.2.0');
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'still a link after npm install');
    assert.equal(fs.realpathSync(link), fs.realpathSync(dirs!.imageCopy));
    assert.ok(!fs.existsSync(path.join(dirs!.imageCopy, 'node_modules', 'ccxt')), 'npm installed nothing into the image copy');
  });

  it('second start on the same data dir: nothing added or changed, the deployed flow kept and trading again', async function () {
    const before = fs.readFileSync(packageJson, 'utf8');
    const flowsBefore = fs.readFileSync(path.join(dirs!.dataDir, 'flows.json'), 'utf8');
    red = await start();
    assert.equal(fs.readFileSync(packageJson, 'utf8'), before, 'package.json unchanged (the user\'s mustache entry too)');
    assert.equal(fs.readFileSync(path.join(dirs!.dataDir, 'flows.json'), 'utf8'), flowsBefore, 'the deployed flow is not replaced by the default flow');
    assert.deepEqual(fs.readdirSync(path.join(dirs!.dataDir, 'node_modules')).filter((f) => !f.startsWith('.')).sort(), ['mustache', PKG.name]);
    assert.doesNotMatch(red.log, /^tradebot: /m, 'nothing to do, nothing said');
    const { sets, info } = await loadedPackage();
    assert.equal(info.path, link);
    assert.equal(sets.length, new Set(sets.map((s) => s.name)).size, 'each node set once');
    // The deployed flow runs again from /data/flows.json, no deploy.
    await seeExample19Trade(false);
    assert.deepEqual(unexpectedWarnings(), [], red.log);
  });
});

/**
 * The script's choices about a copy of the package the user put into the data dir, checked on
 * the files: the node-red dir here holds a package folder and an entrypoint.sh that only prints
 * its arguments (what reaches Node-RED), so these cases need no npm install.
 */
describe('Docker entrypoint: a data dir with its own copy of the package', function () {
  let tmp: string;
  let dirs: { nodeRedDir: string; dataDir: string };
  const imageCopy = () => path.join(dirs.nodeRedDir, 'node_modules', PKG.name);
  const link = () => path.join(dirs.dataDir, 'node_modules', PKG.name);
  const entrypoint = async () => run(SHELL.file, [...SHELL.args, ENTRYPOINT, '--safe', 'two words'], { env: { ...process.env, ...entrypointEnv(dirs) } });

  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-entrypoint-'));
    dirs = { nodeRedDir: path.join(tmp, 'usr-src-node-red'), dataDir: path.join(tmp, 'data') };
    fs.mkdirSync(imageCopy(), { recursive: true });
    fs.writeFileSync(path.join(imageCopy(), 'package.json'), JSON.stringify({ name: PKG.name, version: PKG.version }));
    fs.mkdirSync(dirs.dataDir);
    fs.copyFileSync(path.join(ROOT, 'flows', 'default-flow.json'), path.join(dirs.nodeRedDir, 'default-flows.json'));
    fs.writeFileSync(path.join(dirs.nodeRedDir, 'entrypoint.sh'), '#!/bin/sh\nprintf "started in %s with FLOWS=%s:" "$PWD" "$FLOWS"; printf " [%s]" "$@"; echo\n');
    fs.chmodSync(path.join(dirs.nodeRedDir, 'entrypoint.sh'), 0o755);
  });

  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts the official entrypoint in the node-red dir with the arguments as given', async function () {
    const { stdout } = await entrypoint();
    assert.equal(stdout.trim(), `started in ${dirs.nodeRedDir} with FLOWS=flows.json: [--safe] [two words]`);
  });

  it('a version of the package listed in package.json (installed from the palette): left as it is, no link', async function () {
    const own = { name: 'my-node-red', version: '1.0.0', dependencies: { [PKG.name]: '~0.1.0', 'node-red-node-smooth': '0.1.2' } };
    fs.writeFileSync(path.join(dirs.dataDir, 'package.json'), JSON.stringify(own));
    const { stderr } = await entrypoint();
    assert.equal(fs.readFileSync(path.join(dirs.dataDir, 'package.json'), 'utf8'), JSON.stringify(own));
    assert.ok(!fs.existsSync(link()), 'no link next to the listed version');
    assert.match(stderr, /node-red-contrib-tradebot installed in .* is used, not the image's/);
  });

  it('a copy installed into node_modules without being listed: left as it is, package.json not changed', async function () {
    fs.mkdirSync(link(), { recursive: true });
    fs.writeFileSync(path.join(link(), 'package.json'), JSON.stringify({ name: PKG.name, version: '0.0.9' }));
    const own = { name: 'node-red-project', dependencies: { 'node-red-node-smooth': '0.1.2' } };
    fs.writeFileSync(path.join(dirs.dataDir, 'package.json'), JSON.stringify(own));
    await entrypoint();
    assert.deepEqual(readJson(path.join(dirs.dataDir, 'package.json')), own);
    assert.equal(fs.lstatSync(link()).isSymbolicLink(), false);
  });

  it('the user\'s other entries are kept and the image\'s is added among them, sorted as npm keeps them; a dangling link is replaced', async function () {
    fs.writeFileSync(path.join(dirs.dataDir, 'package.json'), JSON.stringify({ name: 'mine', description: 'my flows', dependencies: { 'node-red-node-smooth': '0.1.2', 'a-module': '^1.0.0' }, scripts: { x: 'y' } }));
    fs.mkdirSync(path.join(dirs.dataDir, 'node_modules'));
    fs.symlinkSync(path.join(tmp, 'gone'), link());
    await entrypoint();
    const pkg = readJson(path.join(dirs.dataDir, 'package.json'));
    assert.deepEqual(pkg, { name: 'mine', description: 'my flows', dependencies: { 'a-module': '^1.0.0', [PKG.name]: `file:${imageCopy()}`, 'node-red-node-smooth': '0.1.2' }, scripts: { x: 'y' } });
    assert.deepEqual(Object.keys(pkg.dependencies), ['a-module', PKG.name, 'node-red-node-smooth']);
    assert.equal(fs.readlinkSync(link()), imageCopy());
  });

  it('a package.json that is not JSON: left as it is, a note naming the file, and Node-RED still starts', async function () {
    fs.writeFileSync(path.join(dirs.dataDir, 'package.json'), '{ "name": ');
    const { stdout, stderr } = await entrypoint();
    assert.equal(fs.readFileSync(path.join(dirs.dataDir, 'package.json'), 'utf8'), '{ "name": ');
    assert.match(stderr, /could not add node-red-contrib-tradebot to .*package\.json/);
    assert.match(stderr, /package\.json is not readable JSON/);
    assert.ok(!fs.existsSync(link()));
    assert.match(stdout, /^started in /);
  });
});
