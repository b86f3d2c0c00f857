/** The stream out node's settings (see nodes/shared/spec.ts); defaults and ranges from core/redis/stream-ranges.ts. */
import { STREAM_DEFAULTS, STREAM_NAME_RE, STREAM_NAME_RULE, STREAM_RANGES } from '../../core/redis/stream-ranges';
import type { FieldCheck, NodeSpec } from '../shared/spec';
import { nameField, rangeField, redisField } from '../shared/spec-fields';

/** A stream key, group or consumer name (`optional`: empty is allowed). */
export function streamName(optional: boolean): FieldCheck {
  return (v) => {
    const s = String(v ?? '').trim();
    return (optional && s === '') || STREAM_NAME_RE.test(s) || `must hold ${STREAM_NAME_RULE}`;
  };
}

export interface StreamOutConfig {
  name: string;
  redis: string;
  key: string;
  maxLen: string | number;
}

export const streamOutSpec: NodeSpec<StreamOutConfig> = {
  type: 'tradebot-stream-out',
  category: 'tradebot',
  color: '#F28482',
  paletteLabel: 'stream out',
  icon: 'font-awesome/fa-sign-out',
  align: 'right',
  inputs: 1,
  outputs: 0,
  inputLabels: 'tradebot messages (ticker, candle, signal, order request, ...)',
  defaults: {
    name: nameField,
    redis: redisField,
    key: { value: STREAM_DEFAULTS.key, label: 'Stream', required: true, check: streamName(false) },
    // 0 = no trimming.
    maxLen: rangeField('Keep about', STREAM_DEFAULTS.maxLen, STREAM_RANGES.maxLen),
  },
  defaultName: (c) => 'stream out ' + (c.key || ''),
};
