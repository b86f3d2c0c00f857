/** The stream ack node's settings (see nodes/shared/spec.ts). */
import type { NodeSpec } from '../shared/spec';
import { nameField, redisField } from '../shared/spec-fields';

export interface StreamAckConfig {
  name: string;
  redis: string;
}

export const streamAckSpec: NodeSpec<StreamAckConfig> = {
  type: 'tradebot-stream-ack',
  category: 'tradebot',
  color: '#F28482',
  paletteLabel: 'stream ack',
  icon: 'font-awesome/fa-check-square-o',
  inputs: 1,
  outputs: 1,
  inputLabels: 'messages from a stream in node (msg.stream)',
  outputLabels: 'the message, once acknowledged',
  defaults: { name: nameField, redis: redisField },
  defaultName: () => 'stream ack',
};
