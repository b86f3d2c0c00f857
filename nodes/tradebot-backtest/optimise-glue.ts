/**
 * The backtest node's optimisation (docs/optimise.md): msg.optimise (or the Optimise tab's button)
 * starts one, msg.topic "cancel" or the cancel button stops it; progress goes to the node's status,
 * the report to the node's output and to the results page. Glue only: core/optimise runs it.
 */
import { planFlow, type FlowNodeConfig } from '../../core/backtest/compiled/flow-plan';
import type { ExchangeSession } from '../../core/session/exchange-session';
import type { ReplaySource } from '../../core/backtest';
import { Optimisation, type RunnerOptions } from '../../core/optimise/optimiser';
import type { BacktestEngine } from '../../core/backtest/compiled/engine';
import { FlowPathRunner } from './flow-path-runner';
import type { OptimiseParam, OptimiseReport } from '../../core/optimise/optimise-report';
import { checkSweepAgainstFlow, paramValues, parseSweep, type Sweep } from '../../core/optimise/sweep-spec';
import { tunableParams } from '../../core/optimise/tunable-params';
import { fieldError } from '../../core/errors';
import type { Node, NodeAPI } from '../shared/types';

/** The deployed flow's node configs (what Node-RED runs; no credentials in them). */
export function deployedNodes(RED: NodeAPI): FlowNodeConfig[] {
  const nodes: FlowNodeConfig[] = [];
  RED.nodes.eachNode((n: object) => nodes.push(n as FlowNodeConfig));
  return nodes;
}

/**
 * The sweep of a message: msg.optimise as a sweep, or `true` for the one saved on the node's
 * Optimise tab. Throws naming the field; checks the nodes and settings against the deployed flow.
 */
export function sweepOf(input: unknown, saved: unknown, nodes: FlowNodeConfig[], where = 'msg.optimise'): Sweep {
  if (input === true) {
    if (saved === undefined || saved === null || saved === '') throw fieldError(where, `${where}: true runs the sweep of the node's Optimise tab, and it has none: add parameters there (and deploy) or send the sweep itself`);
    return sweepOf(saved, undefined, nodes, 'optimise (the Optimise tab)');
  }
  const sweep = parseSweep(input, where);
  const problem = checkSweepAgainstFlow(sweep, nodes, (type, node) => tunableParams(type, node), where);
  if (problem) throw fieldError(where, problem);
  return sweep;
}

export interface OptimiseHandle {
  optimisation: Optimisation;
  done: Promise<OptimiseReport>;
}

/** Starts an optimisation of the flow on the backtest node's exchange node. Throws (naming the reason) before anything runs. */
export async function startOptimisation(
  RED: NodeAPI,
  node: Node,
  exchangeNode: string,
  session: ExchangeSession,
  sweep: Sweep,
  nodes: FlowNodeConfig[],
  onProgress: (report: OptimiseReport) => void,
): Promise<OptimiseHandle> {
  const settings = session.settings;
  const plan = planFlow(nodes, exchangeNode, settings.backtestTimeframe);
  // A flow the fast path cannot compile runs each backtest on the Node-RED path, in Node-RED
  // processes of its own: slower, and the report and the status say why.
  const engine: BacktestEngine = 'refused' in plan ? { path: 'flow', reason: plan.refused.reason, ...(plan.refused.node ? { node: plan.refused.node } : {}) } : { path: 'fast' };
  const source = (await session.source()) as ReplaySource;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const params: OptimiseParam[] = sweep.params.map((p) => {
    const n = byId.get(p.node)!;
    return { node: p.node, nodeName: typeof n.name === 'string' ? n.name : '', nodeType: n.type, param: p.param, values: paramValues(p) };
  });
  const setup = { settings, exchangeNode, flow: nodes, params: sweep.params, series: source.series };
  const optimisation = new Optimisation({
    setup,
    sweep,
    node: { id: node.id, name: (node as unknown as { name?: string }).name ?? '' },
    params,
    engine,
    onProgress,
    ...(engine.path === 'flow' ? { runner: (o: RunnerOptions) => new FlowPathRunner(setup, o) } : {}),
  });
  void RED;
  return { optimisation, done: optimisation.run() };
}

/** The status line of a running optimisation: percent, runs/s, ETA, best so far. */
export function progressText(r: OptimiseReport): string {
  const p = r.progress;
  const pct = p.total ? Math.floor((100 * p.done) / p.total) : 0;
  const eta = p.etaSeconds === null ? '' : ` · ETA ${formatSeconds(p.etaSeconds)}`;
  const best = p.best === null ? '' : ` · best ${+p.best.toPrecision(4)}`;
  const path = r.engine.path === 'flow' ? ' on the Node-RED path (slower)' : '';
  return `optimising${path} ${pct} % (${p.done}/${p.total}) · ${p.runsPerSecond.toFixed(r.engine.path === 'flow' ? 2 : 1)} runs/s${eta}${best}`;
}

/** The status line of a finished one. */
export function finishedText(r: OptimiseReport): string {
  const best = r.best ? `best ${r.objective} ${+r.best.score!.toPrecision(4)} (run ${r.best.index + 1})` : 'no run counted';
  if (r.state === 'canceled') return `optimisation canceled after ${r.runs.length} runs; ${best}`;
  if (r.state === 'failed') return `optimisation failed: ${r.error ?? ''}`;
  return `optimised: ${r.runs.length} runs in ${formatSeconds(r.seconds)}; ${best}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
