/**
 * FlowFuse Dashboard 2 in a packed install's user dir, the way the palette manager installs it
 * (npm install --no-audit --no-fund --ignore-scripts <pinned version>; --offline from npm's cache
 * first, then from the registry), and a user dir holding it and a dashboard example, for the
 * dashboard example suites (test/e2e/dashboard-*.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DebugSidebar } from './debug-sidebar';
import { NodeRedProcess, ROOT, type FlowNode } from './node-red-process';
import { installPacked, npmInstallOrSkip, type PackedUserDir } from './packed-install';

/** The FlowFuse Dashboard 2 release the dashboard examples were built and checked against. */
export const DASHBOARD_VERSION = '1.31.0';
export const DASHBOARD = `@flowfuse/node-red-dashboard@${DASHBOARD_VERSION}`;

/**
 * Installs the dashboard into userDir as the palette manager does (offline from npm's cache first,
 * then online) and checks its version. Without the registry and with nothing in npm's cache it
 * cannot: then the suite skips locally with a message and fails in CI (CI=true).
 */
export async function installDashboard(ctx: Mocha.Context, userDir: string, suite: string): Promise<void> {
  const log = await npmInstallOrSkip(ctx, userDir, ['--no-audit', '--no-fund', '--ignore-scripts', DASHBOARD], DASHBOARD, suite);
  const installed = path.join(userDir, 'node_modules', '@flowfuse', 'node-red-dashboard', 'package.json');
  assert.ok(fs.existsSync(installed), `the dashboard is not in the user dir after npm install:\n${log}`);
  assert.equal(JSON.parse(fs.readFileSync(installed, 'utf8')).version, DASHBOARD_VERSION);
}

/** A dashboard example as the package ships it in examples-dashboard/. */
export function readDashboardExample(file: string): FlowNode[] {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples-dashboard', file), 'utf8')) as FlowNode[];
}

/**
 * What a user does before running a dashboard example: our package packed and installed into a
 * fresh user dir, the dashboard installed beside it, and the example's file (checked to be in the
 * installed package, where the README sends the user) as the user dir's flows.json.
 */
export async function userDirWithDashboardExample(ctx: Mocha.Context, file: string, suite: string): Promise<{ packed: PackedUserDir; example: FlowNode[] }> {
  const example = readDashboardExample(file);
  const packed = await installPacked({ prefix: `tradebot-${suite.replace(/\W+/g, '-')}-` });
  try {
    await installDashboard(ctx, packed.userDir, suite);
    const shipped = path.join(packed.installed, 'examples-dashboard', file);
    assert.deepEqual(JSON.parse(fs.readFileSync(shipped, 'utf8')), example, `${shipped} is in the package`);
    fs.writeFileSync(path.join(packed.userDir, 'flows.json'), JSON.stringify(example, null, 2));
  } catch (err) {
    packed.remove(); // a skip (no dashboard) throws too: the user dir goes either way
    throw err;
  }
  return { packed, example };
}

/** The example's node of this type and name; the assertion names it when the example lacks it. */
export function namedIn(example: FlowNode[]): (type: string, name: string) => FlowNode {
  return (type, name) => {
    const n = example.find((x) => x.type === type && x.name === name);
    assert.ok(n, `the example has a ${type} named "${name}"`);
    return n;
  };
}

/** A node set as GET /nodes lists it. */
export interface NodeSetInfo {
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

/**
 * Starts Node-RED on the user dir made by userDirWithDashboardExample, reads what the editor
 * would (statuses and debug messages, from the start), and checks what a user sees first: every
 * node type of the example is installed and the whole example is deployed.
 */
export async function startDashboardExample(packed: PackedUserDir, example: FlowNode[]): Promise<{ red: NodeRedProcess; sidebar: DebugSidebar; nodes: NodeSetInfo[] }> {
  const red = await NodeRedProcess.start({ userDir: packed.userDir, settings: packed.settings, startTimeoutMs: 60_000 });
  const sidebar = await DebugSidebar.open(red.port);
  const nodes = await red.getJson<NodeSetInfo[]>('/nodes');
  const loaded = new Set(nodes.flatMap((n) => n.types));
  const missing = [...new Set(example.map((n) => n.type))].filter((t) => t !== 'tab' && !loaded.has(t));
  assert.deepEqual(missing, [], 'every node type of the example is installed');
  const deployed = await red.getJson<FlowNode[]>('/flows');
  assert.equal(deployed.length, example.length, 'the whole example is deployed');
  return { red, sidebar, nodes };
}
