/**
 * The Docker image's file layout, outside Docker (there is no Docker engine on the test machines):
 * a "node-red dir" standing for the image's /usr/src/node-red (Node-RED installed there by npm,
 * our `npm pack` tarball installed beside it with the Dockerfile's own npm command, the default
 * flow copied to default-flows.json, and an entrypoint.sh that starts Node-RED as the official
 * image's does), and an empty "data dir" standing for the /data volume. Started through the
 * repo's scripts/docker-entrypoint.sh (the Dockerfile's ENTRYPOINT) with its paths pointed here.
 *
 * npm installs offline from npm's cache first (filled by `npm ci`), then from the registry; when
 * neither works the suite skips locally with a message and fails in CI (CI=true).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './node-red-process';
import { npmInstall, npmInstallOrSkip, packTarball } from './packed-install';

/** The repo's entrypoint script, as the Dockerfile copies it into the image. */
export const ENTRYPOINT = path.join(ROOT, 'scripts', 'docker-entrypoint.sh');
/** The Node-RED release of this repo's dev dependency (the image is nodered/node-red:5.0-22). */
export const NODE_RED_VERSION = (JSON.parse(fs.readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string }).version;

/**
 * The shell the image runs the entrypoint with: its /bin/sh is busybox ash (Alpine). Busybox when
 * this machine has it (Debian: apt-get install busybox), else this machine's /bin/sh (dash on Debian).
 */
export function imageShell(): { file: string; args: string[] } {
  const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((f) => fs.existsSync(f));
  return busybox ? { file: busybox, args: ['ash'] } : { file: '/bin/sh', args: [] };
}

export interface ImageDirs {
  tmp: string;
  /** Stands for /usr/src/node-red. */
  nodeRedDir: string;
  /** Stands for /data. */
  dataDir: string;
  /** Where the Dockerfile's npm install put the package: <nodeRedDir>/node_modules/<name>. */
  imageCopy: string;
  remove(): void;
}

/** The official image's ./entrypoint.sh (node ... red.js --userDir /data $FLOWS "$@"), for another data dir; exec as its trap-and-wait does. */
export function writeOfficialEntrypoint(nodeRedDir: string, dataDir: string): void {
  const file = path.join(nodeRedDir, 'entrypoint.sh');
  fs.writeFileSync(file, `#!/bin/sh\nexec "${process.execPath}" $NODE_OPTIONS node_modules/node-red/red.js --userDir "${dataDir}" $FLOWS "$@"\n`);
  fs.chmodSync(file, 0o755);
}

/**
 * The environment that points scripts/docker-entrypoint.sh at these dirs (the image's defaults
 * are /usr/src/node-red and /data), with this test's node first on PATH (the script runs `node`).
 */
export function entrypointEnv(dirs: Pick<ImageDirs, 'nodeRedDir' | 'dataDir'>): Record<string, string> {
  return {
    TRADEBOT_NODE_RED_DIR: dirs.nodeRedDir,
    TRADEBOT_DATA_DIR: dirs.dataDir,
    FLOWS: 'flows.json',
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

/** Builds the image's layout in a temp folder (see the file comment); skips or fails the suite when npm cannot install. */
export async function buildImageDirs(ctx: Mocha.Context, suite: string): Promise<ImageDirs> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-image-'));
  const remove = () => fs.rmSync(tmp, { recursive: true, force: true });
  const nodeRedDir = path.join(tmp, 'usr-src-node-red');
  const dataDir = path.join(tmp, 'data');
  fs.mkdirSync(nodeRedDir);
  fs.mkdirSync(dataDir);
  try {
    const tarball = await packTarball(tmp);
    // The official image's /usr/src/node-red/package.json lists Node-RED as its one dependency.
    fs.writeFileSync(path.join(nodeRedDir, 'package.json'), JSON.stringify({ name: 'node-red-docker', private: true, dependencies: { 'node-red': NODE_RED_VERSION } }, null, 2));
    await npmInstallOrSkip(ctx, nodeRedDir, ['--no-audit', '--no-fund', '--ignore-scripts'], `node-red@${NODE_RED_VERSION}`, suite);
    // The Dockerfile's install of the tarball, with its options (offline first here).
    await npmInstall(nodeRedDir, ['--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', tarball]);
    fs.copyFileSync(path.join(ROOT, 'flows', 'default-flow.json'), path.join(nodeRedDir, 'default-flows.json'));
    writeOfficialEntrypoint(nodeRedDir, dataDir);
    return { tmp, nodeRedDir, dataDir, imageCopy: path.join(nodeRedDir, 'node_modules', 'node-red-contrib-tradebot'), remove };
  } catch (err) {
    remove();
    throw err;
  }
}
