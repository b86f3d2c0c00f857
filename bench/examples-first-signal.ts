/**
 * When each example's strategy nodes first signal, and its first order fills, counted from the
 * deploy in simulated minutes, at several deploy times (not a test: it prints figures). The
 * simulator builds its history back from the moment of the deploy, so the indicators start from a
 * different state at each deploy time; this shows how long a user waits after importing an
 * example (docs/examples.md). Run:
 *
 *   npm run build && node dist/bench/examples-first-signal.js "01 Moving-average crossover.json" …
 *
 * Each deploy runs in the real Node-RED runtime at 6000x (the examples ship at 300x: divide the
 * simulated minutes by 5 for the seconds a user waits), its clock moved by 431 simulated minutes
 * per deploy (TRADEBOT_PROBE_OFFSETS: other offsets, in minutes). Examples that need Redis,
 * PostgreSQL, a function node, an http in node or a backtest are not for this tool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getNode, loadFlow, unloadFlow, type FlowNode } from '../test/support/node-red';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const realNow = Date.now;
let offsetMs = 0;
// The simulator starts at Date.now(): a moved clock is a deploy at another time.
Date.now = () => realNow() + offsetMs;

const offsets = (process.env.TRADEBOT_PROBE_OFFSETS ?? '0,431,862,1293,1724,2155,2586,3017').split(',').map((m) => Number(m) * 60_000);
const firstOutput = (call: any) => (Array.isArray(call.args[0]) ? call.args[0][0] : call.args[0]);

async function probe(file: string, offset: number): Promise<string> {
  offsetMs = offset;
  const flow = (JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as FlowNode[])
    .filter((n) => !['tab', 'comment', 'inject'].includes(n.type))
    .map(({ z: _z, ...n }) => (n.type === 'debug' || n.type === 'change' ? { id: n.id, type: 'helper', wires: [] } : n.type === 'tradebot-exchange' ? { ...n, simSpeed: 6000 } : n) as FlowNode);
  const deployedAt = Date.now();
  await loadFlow(flow);
  const strategies = flow.filter((n) => n.type === 'tradebot-strategy');
  const orders = flow.filter((n) => n.type === 'tradebot-place-order');
  const first = new Map<string, number>();
  let filled: number | undefined;
  for (const s of strategies) {
    getNode(s.id).on('call:send', (call: any) => {
      const msg = firstOutput(call);
      if (msg && !first.has(s.id)) first.set(s.id, (msg.payload.ts - deployedAt) / 60_000);
    });
  }
  for (const o of orders) {
    getNode(o.id).on('call:send', (call: any) => {
      const msg = firstOutput(call);
      if (msg?.payload?.status === 'closed' && filled === undefined) filled = (msg.payload.ts - deployedAt) / 60_000;
    });
  }
  const giveUp = realNow() + 30_000;
  while (realNow() < giveUp && (first.size < strategies.length || (orders.length > 0 && filled === undefined))) await new Promise((r) => setTimeout(r, 100));
  await unloadFlow();
  const signals = strategies.map((s) => (first.has(s.id) ? first.get(s.id)!.toFixed(0) : 'none')).join('/');
  return orders.length ? `${signals} (fill ${filled === undefined ? 'none' : filled.toFixed(0)})` : signals;
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  if (!files.length) throw new Error('name one or more example files, e.g. "01 Moving-average crossover.json"');
  console.log(`simulated minutes from the deploy to each strategy node's first signal (and the first fill), at deploys ${offsets.map((o) => o / 60_000).join(', ')} min later; at 300x divide by 5 for seconds`);
  for (const file of files) {
    const runs: string[] = [];
    for (const offset of offsets) runs.push(await probe(file, offset));
    console.log(`${file}: ${runs.join('; ')}`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
