/**
 * The tradebot-database node's settings: what is refused names the field and never repeats a
 * password; what is accepted becomes the pool's connection settings and a location without the
 * password.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseLocation, parseDatabaseSettings, poolConfig } from '../../core/journal/database-settings';

const refused = (input: Record<string, unknown>): string => {
  try {
    parseDatabaseSettings(input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`);
};

describe('database settings (tradebot-database)', function () {
  it('a password in the URL is refused, pointing at the Password field, without repeating it', function () {
    const text = refused({ url: 'postgres://bot:S3cretPass@db.lan:5432/trading', user: 'bot' });
    assert.match(text, /^database\.url: contains a password/);
    assert.match(text, /Password field/);
    assert.ok(!text.includes('S3cretPass'));
  });

  it('names the field of each other mistake', function () {
    assert.match(refused({ url: '' }), /^database\.url: required/);
    assert.match(refused({ url: 'mysql://db/x', user: 'u' }), /^database\.url: must start with postgres:\/\//);
    assert.match(refused({ url: 'postgres://db.lan:5432', user: 'u' }), /^database\.url: must name one database/);
    assert.match(refused({ url: 'postgres://db.lan/x?sslmode=require', user: 'u' }), /^database\.url: takes no \?options/);
    assert.match(refused({ url: 'postgres://db.lan/x' }), /^database\.user: required/);
    assert.match(refused({ url: 'postgres://db.lan/x', user: 'u', tls: 'yes' }), /^database\.tls: must be off, require or verify/);
    assert.match(refused({ url: 'postgres://db.lan/x', user: 'u', schema: 'Trade-Bot' }), /^database\.schema: lower-case letters/);
    assert.match(refused({ url: 'postgres://db.lan/x', user: 'u', ca: '/ca.pem' }), /^database\.ca: a CA file is only read with TLS "verify"/);
  });

  it('defaults: port 5432, TLS off, schema tradebot; the user from the URL when the field is empty', function () {
    const s = parseDatabaseSettings({ url: 'postgresql://reader@db.lan/trading', user: '', password: 'pw-1234', tls: '', schema: '' });
    assert.equal(s.tls, 'off');
    assert.equal(s.schema, 'tradebot');
    assert.equal(databaseLocation(s), 'postgresql://reader@db.lan:5432/trading');
    const c = poolConfig(s);
    assert.deepEqual([c.host, c.port, c.database, c.user, c.password, c.ssl], ['db.lan', 5432, 'trading', 'reader', 'pw-1234', false]);
    assert.equal(c.max, 4);
    assert.equal(c.connectionTimeoutMillis, 5_000);
    assert.equal(c.statement_timeout, 10_000);
    assert.equal(c.application_name, 'tradebot');
    // The User field wins over the URL's.
    assert.equal(databaseLocation(parseDatabaseSettings({ url: 'postgres://reader@[::1]:6543/t', user: 'writer' })), 'postgresql://writer@[::1]:6543/t');
  });

  it('TLS: require encrypts without checking; verify checks, with an optional CA file (a missing one named)', function () {
    const base = { url: 'postgres://db.lan/x', user: 'u' };
    assert.deepEqual(poolConfig(parseDatabaseSettings({ ...base, tls: 'require' })).ssl, { rejectUnauthorized: false });
    assert.deepEqual(poolConfig(parseDatabaseSettings({ ...base, tls: 'verify' })).ssl, { rejectUnauthorized: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-ca-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n...\n');
      // A relative path starts at the base directory (the Node-RED user directory).
      assert.deepEqual(poolConfig(parseDatabaseSettings({ ...base, tls: 'verify', ca: 'ca.pem' }), dir).ssl, { rejectUnauthorized: true, ca: '-----BEGIN CERTIFICATE-----\n...\n' });
      assert.throws(() => poolConfig(parseDatabaseSettings({ ...base, tls: 'verify', ca: 'missing.pem' }), dir), /^Error: database\.ca: cannot read .*missing\.pem \(ENOENT\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
