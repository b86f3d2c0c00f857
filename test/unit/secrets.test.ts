/** The credential redaction every outgoing text passes (core/secrets.ts). */
import assert from 'node:assert/strict';
import { redisSecrets } from '../../core/redis/connection';
import { MIN_SECRET_LENGTH, SecretRegistry, tooShort } from '../../core/secrets';

describe('secret registry (redaction)', function () {
  it('replaces a value as typed, URL-encoded (either hex case, + for spaces) and JSON- or HTML-escaped', function () {
    const r = new SecretRegistry();
    r.register(['pa ss/w+rd"<1>']);
    for (const form of ['pa ss/w+rd"<1>', 'pa%20ss%2Fw%2Brd%22%3C1%3E', 'pa%20ss%2fw%2brd%22%3c1%3e', 'pa+ss%2Fw%2Brd%22%3C1%3E', 'pa ss/w+rd\\"<1>', 'pa ss/w+rd&quot;&lt;1&gt;']) {
      assert.equal(r.redact(`before ${form} after`), 'before *** after', form);
    }
  });

  it('leaves values shorter than the minimum alone, and says which', function () {
    const r = new SecretRegistry();
    r.register(['abc', '', undefined]);
    assert.equal(r.active, false);
    assert.equal(r.redact('abc 61234.5'), 'abc 61234.5');
    assert.equal(MIN_SECRET_LENGTH, 4);
    assert.deepEqual(tooShort({ apiKey: 'abc', secret: 'long enough', password: '' }), ['apiKey']);
  });

  it('walks messages copy-on-write: an untouched message is the same object, a touched one a copy', function () {
    const r = new SecretRegistry();
    r.register(['KEYVALUE1234']);
    const req = new (class IncomingMessage {
      url = '/x?k=KEYVALUE1234';
    })();
    const clean = { payload: { a: 1, b: ['x', 'y'] } };
    assert.equal(r.redactDeep(clean), clean);
    const msg: any = { topic: 't', payload: { status: 'rejected', reason: 'bad key KEYVALUE1234', list: ['ok', 'KEYVALUE1234'] }, req };
    const out: any = r.redactDeep(msg);
    assert.notEqual(out, msg);
    assert.equal(out.payload.reason, 'bad key ***');
    assert.deepEqual(out.payload.list, ['ok', '***']);
    assert.equal(out.req, req, 'objects that are not plain data (http requests) are passed as they are');
    assert.equal(msg.payload.reason, 'bad key KEYVALUE1234', 'the original is not changed');
    const cyclic: any = { a: 'KEYVALUE1234' };
    cyclic.self = cyclic;
    assert.equal(r.redactDeep(cyclic).a, '***');
  });

  it('redacts an Error into a new Error of the same kind (message, stack, own fields, cause)', function () {
    const r = new SecretRegistry();
    r.register(['KEYVALUE1234']);
    class AuthenticationError extends Error {
      override name = 'AuthenticationError';
    }
    const err = Object.assign(new AuthenticationError('binance {"msg":"api-key: KEYVALUE1234"}', { cause: new Error('KEYVALUE1234') }), { code: 'KEYVALUE1234' });
    const out = r.redactError(err);
    assert.ok(out instanceof AuthenticationError);
    assert.equal(out.name, 'AuthenticationError');
    assert.equal(out.message, 'binance {"msg":"api-key: ***"}');
    assert.ok(!String(out.stack).includes('KEYVALUE1234'));
    assert.equal((out as any).code, '***');
    assert.equal(((out as any).cause as Error).message, '***');
    assert.equal(err.message.includes('KEYVALUE1234'), true, 'the original error is untouched');
  });

  it('forgets a released value (at once, or after a delay), keeps one another holder still has', async function () {
    const r = new SecretRegistry();
    const a = r.register(['SHAREDVALUE1']);
    const b = r.register(['SHAREDVALUE1', 'ONLYBVALUE2']);
    b();
    assert.equal(r.redact('SHAREDVALUE1 ONLYBVALUE2'), '*** ONLYBVALUE2');
    a(20);
    assert.equal(r.redact('SHAREDVALUE1'), '***', 'still redacted during the delay');
    // A fixed wait on purpose: past the 20 ms delay, which is what is tested.
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(r.redact('SHAREDVALUE1'), 'SHAREDVALUE1');
    assert.equal(r.active, false);
  });

  it("finds the Redis node's passwords outside its credentials: in the URL and in the options JSON", function () {
    const found = redisSecrets('redis://app:p%40ssWord1@10.0.0.5:6379', '{"sentinels":[{"host":"10.0.0.6","port":26379}],"sentinelPassword":"SENTINELPW1","name":"mymaster"}');
    assert.ok(found.includes('p%40ssWord1') && found.includes('p@ssWord1'), 'the URL password, as written and decoded');
    assert.ok(found.includes('SENTINELPW1'));
    assert.ok(!found.includes('mymaster') && !found.includes('10.0.0.6'));
    assert.deepEqual(redisSecrets('not a url', 'not json'), []);
  });
});
