/**
 * What Node-RED's flow library scores a node package on (the package validator / scorecard),
 * checked on package.json and on the file list `npm pack --dry-run --json` reports, so a
 * regression shows here rather than on https://flows.nodered.org after publishing.
 * Run after `npm run build` (as `npm test` does): the packed list includes dist/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Runtime dependencies at most this many (the scorecard flags packages that pull in a lot). */
const MAX_DEPENDENCIES = 8;
/** Never runtime dependencies: deprecated (`request`), or provided by / only for Node-RED and tests. */
const BAD_DEPENDENCIES = ['request', 'request-promise', 'node-red', 'node-red-node-test-helper', 'mocha', 'typescript', 'ts-node'];
/**
 * Packed (gzipped) size limit in bytes. Measured 2026-11-21: 385,046 bytes packed
 * (1,500,516 unpacked, 258 files, source maps included); the limit is about twice that.
 */
const MAX_PACKED_BYTES = 800_000;

interface PackInfo {
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string; size: number }>;
}

describe('package quality (what the Node-RED flow library scores)', function () {
  this.timeout(60_000);
  let pack: PackInfo;
  let files: string[];

  before(async function () {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout } = await promisify(execFile)(npm, ['pack', '--dry-run', '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    pack = JSON.parse(stdout)[0];
    files = pack.files.map((f) => f.path.replace(/\\/g, '/'));
  });

  it('has a license, and the LICENSE file is packed', function () {
    assert.ok(typeof PKG.license === 'string' && PKG.license.length > 0, 'package.json has no "license"');
    assert.ok(fs.existsSync(path.join(ROOT, 'LICENSE')), 'there is no LICENSE file at the repository root');
    assert.ok(files.includes('LICENSE'), 'LICENSE is not in the packed files (package.json "files")');
  });

  it('has a repository field with a URL', function () {
    const repo = PKG.repository;
    const url = typeof repo === 'string' ? repo : repo?.url;
    assert.ok(typeof url === 'string' && url.length > 0, 'package.json has no "repository" (or it has no url)');
  });

  it('has a README in the package', function () {
    assert.ok(files.includes('README.md'), 'README.md is not in the packed files');
  });

  it('has the "node-red" keyword (the flow library only lists packages with it)', function () {
    assert.ok(Array.isArray(PKG.keywords) && PKG.keywords.includes('node-red'), `keywords ${JSON.stringify(PKG.keywords)} lack "node-red"`);
  });

  it('declares the Node-RED version it needs (node-red.version) and the Node.js version (engines.node)', function () {
    assert.ok(PKG['node-red']?.version, 'package.json has no "node-red.version"');
    assert.ok(PKG.engines?.node, 'package.json has no "engines.node"');
  });

  it('every registered node file is packed', function () {
    const missing = (Object.entries(PKG['node-red'].nodes) as Array<[string, string]>)
      .filter(([, file]) => !files.includes(file) || !files.includes(file.replace(/\.js$/, '.html')))
      .map(([type, file]) => `${type} (${file} or its .html)`);
    assert.ok(missing.length === 0, `node files missing from the package: ${missing.join(', ')}`);
  });

  it('packs signal.js (node-red-contrib-tradebot/signal, for function nodes) and every file it requires', function () {
    assert.ok(files.includes('signal.js'), 'signal.js is not in the packed files (package.json "files")');
    const required = [...fs.readFileSync(path.join(ROOT, 'signal.js'), 'utf8').matchAll(/require\('\.\/([^']+)'\)/g)].map((m) => m[1]!);
    assert.ok(required.length > 0, 'signal.js requires the dist files it re-exports');
    for (const file of required) assert.ok(files.includes(file), `${file}, required by signal.js, is not packed`);
  });

  it('every registered node type is used in at least one example flow (examples/, examples-dashboard/), both folders packed', function () {
    const used = new Set<string>();
    for (const folder of ['examples', 'examples-dashboard']) {
      const dir = path.join(ROOT, folder);
      for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const flow = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Array<{ type: string }>;
        for (const node of flow) used.add(node.type);
      }
      assert.ok(files.some((f) => f.startsWith(`${folder}/`)), `${folder}/ is not in the packed files`);
    }
    const missing = Object.keys(PKG['node-red'].nodes).filter((type) => !used.has(type));
    assert.ok(missing.length === 0, `node types in no example flow: ${missing.join(', ')}`);
  });

  it(`has at most ${MAX_DEPENDENCIES} runtime dependencies, none of the known-bad ones`, function () {
    const deps = Object.keys(PKG.dependencies ?? {});
    assert.ok(deps.length <= MAX_DEPENDENCIES, `${deps.length} runtime dependencies (${deps.join(', ')}), more than ${MAX_DEPENDENCIES}`);
    const bad = deps.filter((d) => BAD_DEPENDENCIES.includes(d) || d.startsWith('@types/'));
    assert.ok(bad.length === 0, `runtime dependencies that must not be: ${bad.join(', ')}`);
  });

  it('packs no tests, no TypeScript sources (only .d.ts) and no source maps', function () {
    const tests = files.filter((f) => /(^|\/)(test|tests|__tests__)\//.test(f) || /\.(test|spec)\.[cm]?[jt]s$/.test(f));
    assert.ok(tests.length === 0, `test files in the package: ${tests.join(', ')}`);
    const sources = files.filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f));
    assert.ok(sources.length === 0, `TypeScript sources in the package: ${sources.join(', ')}`);
    const maps = files.filter((f) => f.endsWith('.map'));
    assert.ok(maps.length === 0, `${maps.length} source maps in the package (they point at .ts sources that are not packed): ${maps.slice(0, 5).join(', ')}${maps.length > 5 ? ', …' : ''}`);
  });

  it(`packs to less than ${MAX_PACKED_BYTES.toLocaleString('en')} bytes`, function () {
    assert.ok(pack.size < MAX_PACKED_BYTES, `packed size ${pack.size} bytes (unpacked ${pack.unpackedSize}, ${pack.entryCount} files) is over the ${MAX_PACKED_BYTES} limit`);
  });
});
