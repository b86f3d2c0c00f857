/**
 * Shows in a node's status when the exchange's state store (Redis) is unreachable: orders are
 * refused then, and the node says why; the status clears when Redis is back.
 */
import type { StatusThrottle } from './status';
import type { ExchangeConfigNode, Node, NodeAPI } from './types';

export function followStateStore(RED: NodeAPI, node: Node, exchangeId: string | undefined, status: StatusThrottle): void {
  const hub = exchangeId ? (RED.nodes.getNode(exchangeId) as ExchangeConfigNode | null)?.redisHub : undefined;
  if (!hub) return;
  let wasDown = false;
  const stop = hub.onState((state, detail) => {
    if (state === 'connected') {
      if (wasDown) status.now({ fill: 'green', shape: 'ring', text: 'state store (Redis) back' });
      wasDown = false;
    } else if (state !== 'connecting') {
      wasDown = true;
      status.now({ fill: 'red', shape: 'ring', text: `state store (Redis) ${state}: orders refused${detail ? ` (${detail})` : ''}`.slice(0, 80) });
    }
  });
  node.on('close', stop);
}
