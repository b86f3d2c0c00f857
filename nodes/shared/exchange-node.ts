/** Finds a node's exchange config node and its session, or explains what is missing. */
import type { ExchangeSession } from '../../core/session/exchange-session';
import type { ExchangeConfigNode, NodeAPI } from './types';

export function sessionOf(RED: NodeAPI, exchangeId: string | undefined): { session?: ExchangeSession; error?: Error } {
  const node = exchangeId ? (RED.nodes.getNode(exchangeId) as ExchangeConfigNode | null) : null;
  if (!node) return { error: new Error('no exchange selected: pick or add a tradebot exchange config node') };
  if (!node.session) return { error: new Error(node.configError ?? 'the exchange config node is not valid') };
  return { session: node.session };
}
