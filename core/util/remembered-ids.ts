/**
 * Adds `id` to a list of remembered ids (oldest first) and its lookup set, keeping at least the
 * newest `keep`. The oldest are dropped in batches (a quarter of `keep` at a time), not one per
 * id: Array.shift() on a list of thousands copies it whenever V8 cannot move the list's start
 * (during a concurrent GC mark), microseconds per call, which a long backtest pays per order.
 */
export function rememberId(list: string[], set: Set<string>, id: string, keep: number): void {
  list.push(id);
  set.add(id);
  if (list.length <= keep + Math.max(1, keep >> 2)) return;
  const dropped = list.splice(0, list.length - keep);
  for (const old of dropped) set.delete(old);
}
