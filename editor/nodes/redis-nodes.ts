/** The Redis stream nodes in the editor: their specs, and a new node takes the flow's only Redis. */
import { streamAckSpec } from '../../nodes/tradebot-stream-ack/spec';
import { streamInSpec } from '../../nodes/tradebot-stream-in/spec';
import { streamOutSpec } from '../../nodes/tradebot-stream-out/spec';
import type { NodeSpec } from '../../nodes/shared/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

const onRedis = (spec: NodeSpec<any>) => () =>
  fromSpec(spec, {
    onadd: function () {
      adoptOnlyConfig(this, ['redis']);
    },
  });

export const streamAck = onRedis(streamAckSpec);
export const streamIn = onRedis(streamInSpec);
export const streamOut = onRedis(streamOutSpec);
