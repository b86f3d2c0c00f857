/**
 * The node harness's input handling (nodes/shared/node-harness.ts), on a stand-in node (an
 * EventEmitter: the handler's contract is Node-RED's input event with send and done): every
 * message ends in exactly one done(); an error keeps its class (the metrics count validation
 * failures by class); a thrown non-Error becomes an Error; the session's credentials are redacted
 * from what done(err) reports; a synchronous handler ends synchronously. The node tests check
 * the same through real flows.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { isValidationError, ValidationError } from '../../core/errors';
import { NodeKit } from '../../nodes/shared/node-harness';
import type { Node, NodeAPI } from '../../nodes/shared/types';

const KEY = 'k3y-0f-the-exchange-account';

function kitWithSession() {
  const node = new EventEmitter() as unknown as Node;
  const session = { redact: (t: string) => t.split(KEY).join('***') };
  const RED = { nodes: { getNode: (id: string) => (id === 'ex' ? { session } : null) } } as unknown as NodeAPI;
  const kit = new NodeKit(RED, node);
  kit.exchange('ex');
  /** Sends one message; resolves with what done() got, once it was called. */
  const receive = (msg: object) =>
    new Promise<{ err: Error | undefined; calls: number }>((resolve) => {
      let calls = 0;
      (node as unknown as EventEmitter).emit('input', msg, () => undefined, (err?: Error) => {
        calls++;
        setImmediate(() => resolve({ err, calls }));
      });
    });
  return { kit, receive };
}

describe('node harness: input -> done(err), classified and redacted', function () {
  it('ends a message in done() once, also for an async handler', async function () {
    const { kit, receive } = kitWithSession();
    let handled = 0;
    kit.onInput(async () => {
      await new Promise((r) => setTimeout(r, 5));
      handled++;
    });
    const { err, calls } = await receive({ payload: 1 });
    assert.equal(err, undefined);
    assert.equal(calls, 1);
    assert.equal(handled, 1);
  });

  it('ends a synchronous handler synchronously', function () {
    const { kit } = kitWithSession();
    kit.onInput(() => undefined);
    let done = false;
    (kit.node as unknown as EventEmitter).emit('input', {}, () => undefined, () => (done = true));
    assert.equal(done, true);
  });

  it('keeps the class of what is thrown, so a validation failure is counted as one; the message unchanged', async function () {
    const { kit, receive } = kitWithSession();
    kit.onInput(() => {
      throw new ValidationError('msg.payload.side: Invalid option: expected one of "buy"|"sell"', 'msg.payload.side');
    });
    const { err } = await receive({});
    assert.ok(isValidationError(err));
    assert.equal(err!.message, 'msg.payload.side: Invalid option: expected one of "buy"|"sell"');
    assert.equal(String(err), 'Error: msg.payload.side: Invalid option: expected one of "buy"|"sell"', 'users read the same words as before');
  });

  it("redacts the session's credentials from an async rejection, keeping its class", async function () {
    const { kit, receive } = kitWithSession();
    class ExchangeSaid extends Error {}
    kit.onInput(async () => {
      throw new ExchangeSaid(`binance 401: invalid api key ${KEY}`);
    });
    const { err } = await receive({});
    assert.ok(err instanceof ExchangeSaid);
    assert.equal(err.message, 'binance 401: invalid api key ***');
    assert.ok(!String(err.stack).includes(KEY), 'not in the stack either');
  });

  it('turns a thrown non-Error into an Error', async function () {
    const { kit, receive } = kitWithSession();
    kit.onInput(() => {
      throw 'plain text';
    });
    const { err } = await receive({});
    assert.ok(err instanceof Error);
    assert.equal(err.message, 'plain text');
  });

  it('drops quietly what the node says is reported already', async function () {
    const { kit, receive } = kitWithSession();
    class AlreadyReported extends Error {}
    kit.onInput(
      async () => {
        throw new AlreadyReported('refused at deploy');
      },
      { quiet: (e) => e instanceof AlreadyReported },
    );
    const { err, calls } = await receive({});
    assert.equal(err, undefined);
    assert.equal(calls, 1);
  });
});
