/**
 * A throwaway Node-RED user dir for the benchmarks: the flow as flows.json and this package
 * linked into node_modules, the way a user's install looks to the runtime.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGE_NAME = 'node-red-contrib-tradebot';

export function makeBenchUserDir(flow: unknown[], label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tradebot-bench-${label}-`));
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flow, null, 2));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', PACKAGE_NAME), 'dir');
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'tradebot-bench-user-dir', private: true, dependencies: { [PACKAGE_NAME]: `file:${ROOT}` } }, null, 2),
  );
  return dir;
}

/** The package link goes first, so nothing can ever recurse into the repo. */
export function removeBenchUserDir(dir: string): void {
  try {
    fs.unlinkSync(path.join(dir, 'node_modules', PACKAGE_NAME));
  } catch {
    /* already gone */
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
