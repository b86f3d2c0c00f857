/** The stream in node's settings (see nodes/shared/spec.ts); defaults and ranges from core/redis/stream-ranges.ts. */
import { STREAM_DEFAULTS, STREAM_RANGES } from '../../core/redis/stream-ranges';
import type { NodeSpec } from '../shared/spec';
import { nameField, rangeField, redisField } from '../shared/spec-fields';
import { streamName } from '../tradebot-stream-out/spec';

export interface StreamInConfig {
  name: string;
  redis: string;
  key: string;
  group: string;
  consumer: string;
  start: '$' | '0';
  batch: string | number;
  claimAfterSec: string | number;
  maxDeliveries: string | number;
  deadLetter: boolean;
}

export const streamInSpec: NodeSpec<StreamInConfig> = {
  type: 'tradebot-stream-in',
  category: 'tradebot',
  color: '#F28482',
  paletteLabel: 'stream in',
  icon: 'font-awesome/fa-sign-in',
  inputs: 0,
  outputs: 1,
  outputLabels: 'stream entries, with msg.stream',
  defaults: {
    name: nameField,
    redis: redisField,
    key: { value: STREAM_DEFAULTS.key, label: 'Stream', required: true, check: streamName(false) },
    group: { value: STREAM_DEFAULTS.group, label: 'Group', required: true, check: streamName(false) },
    consumer: { value: '', label: 'Consumer', check: streamName(true) },
    start: { value: '$' },
    batch: rangeField('Batch', STREAM_DEFAULTS.batch, STREAM_RANGES.batch),
    claimAfterSec: rangeField('Claim after', STREAM_DEFAULTS.claimAfterSec, STREAM_RANGES.claimAfterSec),
    maxDeliveries: rangeField('Deliveries', STREAM_DEFAULTS.maxDeliveries, STREAM_RANGES.maxDeliveries),
    deadLetter: { value: true },
  },
  defaultName: (c) => 'stream in ' + (c.key || '') + (c.group ? ' (' + c.group + ')' : ''),
};
