/**
 * What the candles and ticker nodes do with a symbol list message (a pairlist): validate it
 * (msg.payload.symbols named on a bad one, nothing changed), have the runner follow it, remember it
 * (a restart of the feeds after an outage starts the list followed now), say what changed.
 */
import { ContractError, parseOrThrow, PairlistSchema } from '../../core/contract';
import { formatSymbolCount } from './symbols';
import { statusFor } from './status';
import type { FeedRunner } from './market-feed-runner';
import type { NodeKit } from './node-harness';

export async function followSymbolList(
  kit: Pick<NodeKit, 'status' | 'node'>,
  runner: Pick<FeedRunner<{ symbol: string }>, 'follow'>,
  msg: { payload?: unknown },
  remember: (symbols: string[]) => void,
): Promise<void> {
  const list = parseOrThrow(PairlistSchema, msg.payload, 'msg.payload');
  // An empty list would stop every feed: refused, the followed list kept.
  if (list.symbols.length === 0) throw new ContractError('msg.payload.symbols: is empty: a list to follow names at least one symbol', 'msg.payload.symbols');
  const symbols = [...new Set(list.symbols.map((s) => s.toUpperCase()))];
  const changed = await runner.follow(symbols, 'msg.payload.symbols');
  if (!changed) return;
  remember(symbols);
  if (changed.added.length || changed.removed.length) {
    const parts = [changed.added.length ? `+${changed.added.length}` : '', changed.removed.length ? `-${changed.removed.length}` : ''].filter(Boolean).join(' ');
    kit.status.now(statusFor('live', `following ${formatSymbolCount(symbols.length)} (${parts})`));
  }
}
