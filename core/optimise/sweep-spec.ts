/**
 * The sweep definition of an optimisation (the Optimise tab, or msg.optimise): which settings of
 * which nodes to vary, over which values, with which search, toward which objective, optionally
 * walk-forward. Every refusal names the field (`msg.optimise.params.1.range.step: ...`), the same
 * way core/contract.ts's describeZodError does, and happens before anything runs.
 *
 * A parameter is the dotted path of a setting in the node's config: `fastPeriod`, `stopPct`,
 * `indicators.0.period`, `entryRules.0.right` (see tunable-params.ts for what may be varied).
 */
import { z } from 'zod';
import { zodError } from '../contract';

/** Largest number of values one range may expand to, and of combinations a grid may run. */
export const MAX_RANGE_VALUES = 100_000;
export const MAX_GRID_COMBINATIONS = 100_000;
export const MAX_SAMPLES = 100_000;

export const SEARCHES = ['grid', 'random', 'tpe'] as const;
export const OBJECTIVES = ['totalReturn', 'sharpe', 'sortino', 'calmar', 'profitFactor'] as const;
export type SearchKind = (typeof SEARCHES)[number];
export type ObjectiveName = (typeof OBJECTIVES)[number];
export type ParamValue = number | string | boolean;

const finite = (what: string) => z.number({ error: `must be a number (${what})` }).finite('must be a finite number');
const wholeNumber = (min: number, max: number) => z.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const RangeSchema = z.strictObject({
  from: finite('the first value'),
  to: finite('the last value'),
  step: finite('the distance between two values').gt(0, 'must be above 0 (a step of 0 or less never reaches "to")'),
});

const ParamSchema = z.strictObject({
  node: z.string({ error: 'must be the id of a node in the flow' }).trim().min(1, 'must be the id of a node in the flow'),
  param: z.string({ error: 'must be the name of a setting, e.g. fastPeriod or indicators.0.period' }).trim().min(1, 'must be the name of a setting, e.g. fastPeriod or indicators.0.period'),
  range: RangeSchema.optional(),
  values: z.array(z.union([finite('a value to try'), z.string(), z.boolean()]), { error: 'must be a list of values to try' }).min(1, 'is empty: list at least one value to try').optional(),
});

const WalkForwardSchema = z.strictObject({
  windows: wholeNumber(2, 50),
  inSamplePct: z.number({ error: 'must be a number' }).min(50, 'must be at least 50').max(95, 'must be at most 95').default(75),
  anchored: z.boolean({ error: 'must be true or false' }).default(false),
});

const SweepSchema = z
  .strictObject({
    params: z.array(ParamSchema, { error: 'must be a list of { node, param, range or values }' }).min(1, 'is empty: name at least one parameter to vary'),
    search: z.enum(SEARCHES, { error: `must be one of ${SEARCHES.join(', ')}` }).default('grid'),
    samples: wholeNumber(1, MAX_SAMPLES).optional(),
    seed: z.number({ error: 'must be a whole number' }).int('must be a whole number').default(1),
    objective: z.enum(OBJECTIVES, { error: `must be one of ${OBJECTIVES.join(', ')}` }).default('sharpe'),
    minTrades: wholeNumber(0, 1_000_000).default(1),
    walkForward: WalkForwardSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
    const seen = new Map<string, number>();
    s.params.forEach((p, i) => {
      const key = `${p.node}\u0000${p.param}`;
      const first = seen.get(key);
      if (first !== undefined) issue(['params', i, 'param'], `"${p.param}" of node ${p.node} is already varied by params.${first}`);
      else seen.set(key, i);
      if ((p.range === undefined) === (p.values === undefined)) {
        issue(['params', i], 'give either a range { from, to, step } or a list of values, not both and not neither');
        return;
      }
      const firstAt = new Map<ParamValue, number>();
      p.values?.forEach((v, j) => {
        if (firstAt.has(v)) issue(['params', i, 'values', j], `${JSON.stringify(v)} is already listed (values.${firstAt.get(v)})`);
        else firstAt.set(v, j);
      });
      if (p.range) {
        const { from, to } = p.range;
        if (from > to) return issue(['params', i, 'range', 'from'], `must not be above "to" (${from} > ${to})`);
        const n = rangeCount(p.range);
        if (n > MAX_RANGE_VALUES) issue(['params', i, 'range', 'step'], `gives ${fmtCount(n)} values from ${from} to ${to}; at most ${fmtCount(MAX_RANGE_VALUES)}: use a larger step`);
      }
    });
    if (s.search !== 'grid' && s.samples === undefined) issue(['samples'], `is needed for a ${s.search} search: how many runs to make`);
    if (s.search === 'grid' && s.params.every((p) => (p.range === undefined) !== (p.values === undefined))) {
      const counts = s.params.map((p) => (p.range ? rangeCount(p.range) : p.values!.length));
      const total = counts.reduce((a, b) => a * b, 1);
      if (total > MAX_GRID_COMBINATIONS) {
        const detail = s.params.map((p, i) => `${p.param} ${fmtCount(counts[i]!)}`).join(' × ');
        issue(['search'], `a grid of ${fmtCount(total)} combinations (${detail}) is over the limit of ${fmtCount(MAX_GRID_COMBINATIONS)}; use search "random" or "tpe" with a number of samples, or fewer values`);
      }
    }
  });

export interface SweepRange {
  from: number;
  to: number;
  step: number;
}
export interface SweepParam {
  node: string;
  param: string;
  range?: SweepRange;
  values?: ParamValue[];
}
export interface WalkForwardSpec {
  windows: number;
  inSamplePct: number;
  anchored: boolean;
}
export interface Sweep {
  params: SweepParam[];
  search: SearchKind;
  /** Runs of a random or tpe search (always set for them). */
  samples?: number;
  seed: number;
  objective: ObjectiveName;
  /** Runs with fewer round trips score -Infinity (objective.ts). */
  minTrades: number;
  walkForward?: WalkForwardSpec;
}

/** Parses a sweep definition; throws an Error whose message names the field. */
export function parseSweep(input: unknown, where = 'msg.optimise'): Sweep {
  const result = SweepSchema.safeParse(input);
  if (!result.success) throw zodError(result.error, where);
  return result.data as Sweep;
}

/**
 * Decimal places of a finite number as written (0.1 → 1, 1e-7 → 7, 2.50 → 1). Ranges step in
 * integers scaled by 10^decimals, so 0.1 + 0.2 never becomes 0.30000000000000004.
 */
export function decimals(x: number): number {
  const s = String(Math.abs(x)).toLowerCase();
  const [mantissa, exp] = s.split('e') as [string, string | undefined];
  const frac = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, frac - (exp ? Number(exp) : 0));
}

/** 10^decimals, lowered while the scaled numbers would pass 2^53 (where integers stop being exact). */
function rangeScale({ from, to, step }: SweepRange): number {
  const largest = Math.max(Math.abs(from), Math.abs(to), Math.abs(step));
  let d = Math.min(15, Math.max(decimals(from), decimals(to), decimals(step)));
  while (d > 0 && largest * 10 ** d > Number.MAX_SAFE_INTEGER) d--;
  return 10 ** d;
}

/** How many values a range holds: from, from + step, ... up to to (to included when on a step). */
export function rangeCount(range: SweepRange): number {
  const scale = rangeScale(range);
  const span = Math.round(range.to * scale) - Math.round(range.from * scale);
  return Math.floor(span / Math.round(range.step * scale)) + 1;
}

/** The i-th value of a range, exact to the decimals its numbers are written with. */
export function rangeValue(range: SweepRange, i: number): number {
  const scale = rangeScale(range);
  return (Math.round(range.from * scale) + i * Math.round(range.step * scale)) / scale;
}

/** Every value a parameter takes, in order. */
export function paramValues(p: SweepParam): ParamValue[] {
  if (p.values) return p.values.slice();
  const n = rangeCount(p.range!);
  return Array.from({ length: n }, (_, i) => rangeValue(p.range!, i));
}

/**
 * Checks the sweep against the flow it runs on: each node id must be in the flow and each
 * parameter must be tunable on that node (`tunable(type, node)`, e.g. tunableParams from
 * tunable-params.ts). Returns the first error, naming the field, or undefined.
 */
export function checkSweepAgainstFlow(
  sweep: Sweep,
  nodes: ReadonlyArray<{ id: string; type: string; [key: string]: unknown }>,
  tunable: (type: string, node: { id: string; type: string; [key: string]: unknown }) => readonly string[],
  where = 'msg.optimise',
): string | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const [i, p] of sweep.params.entries()) {
    const node = byId.get(p.node);
    if (!node) return `${where}.params.${i}.node: no node with id "${p.node}" in the flow`;
    const names = tunable(node.type, node);
    if (!names.includes(p.param)) {
      const label = typeof node.name === 'string' && node.name ? `${node.type} "${node.name}"` : node.type;
      return `${where}.params.${i}.param: "${p.param}" is not a tunable setting of ${label} (${p.node}); ${names.length ? `it has ${names.join(', ')}` : 'it has none'}`;
    }
  }
  return undefined;
}

function fmtCount(n: number): string {
  return Number.isFinite(n) && n < 1e21 ? Math.round(n).toLocaleString('en-US') : n.toExponential(2);
}
