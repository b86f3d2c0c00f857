/**
 * API credentials for a mock exchange account, made fresh for each mock: nothing that looks like a
 * key is written in the repository, and every run's values differ (the redaction tests then cannot
 * pass by knowing a fixed string).
 */
import { randomBytes } from 'node:crypto';

/** A key (the label, then hex digits: alphanumeric, as Binance wants) and a hex secret; `secretBase64` for exchanges whose secret is base64 (Kraken). */
export function testCredentials(label: string, opts: { secretBase64?: boolean } = {}): { apiKey: string; secret: string } {
  return {
    apiKey: `${label}${randomBytes(16).toString('hex')}`,
    secret: opts.secretBase64 ? randomBytes(64).toString('base64') : randomBytes(24).toString('hex'),
  };
}
