/**
 * The part of a deployed flow that one backtest of it needs, for a run in a Node-RED of its own
 * (an optimisation on the Node-RED path): the exchange node, its candles nodes, the nodes their
 * messages pass on the way to a place-order node (the trading path), everything that sends into
 * those, the config nodes all of them use, and the tabs and subflow templates they sit in. Nodes
 * that only listen (a debug, a notifier, an MQTT out) and the user's other flows are left out, and
 * wires to them removed: a run must not act on the world.
 */
import type { FlowNodeConfig } from '../backtest/compiled/flow-plan';

export function flowForBacktest(nodes: readonly FlowNodeConfig[], exchange: string): FlowNodeConfig[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  /** Who sends to whom (wires and link out -> link in), and back. */
  const next = new Map<string, string[]>();
  const prev = new Map<string, string[]>();
  const edge = (from: string, to: string) => {
    (next.get(from) ?? next.set(from, []).get(from)!).push(to);
    (prev.get(to) ?? prev.set(to, []).get(to)!).push(from);
  };
  for (const n of nodes) {
    for (const out of n.wires ?? []) for (const to of out) edge(n.id, to);
    if (n.type === 'link out' && n.mode !== 'return') for (const to of n.links ?? []) edge(n.id, to);
  }
  const reach = (start: string[], links: Map<string, string[]>) => {
    const seen = new Set<string>(start);
    const stack = [...start];
    while (stack.length) {
      for (const to of links.get(stack.pop()!) ?? []) {
        if (seen.has(to) || !byId.has(to)) continue;
        seen.add(to);
        stack.push(to);
      }
    }
    return seen;
  };
  const candles = nodes.filter((n) => n.type === 'tradebot-candles' && n.exchange === exchange).map((n) => n.id);
  const reached = reach(candles, next);
  const orders = [...reached].filter((id) => byId.get(id)!.type === 'tradebot-place-order');
  // The trading path: what the candles reach on the way to a place-order node.
  const toOrders = reach(orders, prev);
  const path = [...reached].filter((id) => toOrders.has(id));
  // Everything that sends into it (an inject button, a ticker feeding a function), and so on up.
  const keep = reach([...candles, ...path], prev);
  keep.add(exchange);
  // Subflow instances bring their template and its nodes.
  for (const id of [...keep]) {
    const type = byId.get(id)!.type;
    if (type.startsWith('subflow:')) {
      const template = type.slice('subflow:'.length);
      keep.add(template);
      for (const n of nodes) if (n.z === template) keep.add(n.id);
    }
  }
  // Config nodes: any setting whose value is the id of a node without a tab that is not yet kept.
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of [...keep]) {
      for (const value of Object.values(byId.get(id)!)) {
        if (typeof value !== 'string' || keep.has(value)) continue;
        const target = byId.get(value);
        if (target && !target.z && target.type !== 'tab' && !('wires' in target && Array.isArray(target.wires) && target.wires.length)) {
          keep.add(value);
          changed = true;
        }
      }
    }
  }
  // Their tabs.
  for (const id of [...keep]) {
    const z = byId.get(id)!.z;
    if (z && byId.get(z)?.type === 'tab') keep.add(z);
  }
  // Wires to what was left out are removed.
  return nodes
    .filter((n) => keep.has(n.id))
    .map((n) => (n.wires ? { ...n, wires: n.wires.map((out) => out.filter((to) => keep.has(to))) } : n));
}
