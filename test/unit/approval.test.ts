/** Ask first's held requests: each is answered once, by the first answer within its deadline. */
import assert from 'node:assert/strict';
import type { OrderRequest } from '../../core/contract';
import { ApprovalBook, approvalRejection, APPROVAL_EXPIRED, APPROVAL_REJECTED, isEntry } from '../../core/risk/approval';
import { APPROVAL_TIMEOUT, parseApprovalSettings } from '../../core/risk/approval-settings';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN5 = 300_000;
const request = (id: string, side: 'buy' | 'sell' = 'buy'): OrderRequest => ({ kind: 'orderRequest', clientOrderId: id, signalId: `sig-${id}`, symbol: 'BTC/USDT', side, type: 'market', amount: 0.002, ts: T0 });

describe('ask first: the approval book', function () {
  it('approve within the deadline decides once; a second tap finds it answered', function () {
    const book = new ApprovalBook();
    const held = book.hold(request('tb-a'), T0, MIN5)!;
    assert.equal(held.expiresAt, T0 + MIN5);
    assert.deepEqual(book.answer('tb-a', 'approve', T0 + 1000), { decided: 'approved', held });
    assert.deepEqual(book.answer('tb-a', 'approve', T0 + 2000), { already: 'approved' });
    assert.deepEqual(book.answer('tb-a', 'reject', T0 + 2000), { already: 'approved' });
    assert.equal(book.held.length, 0);
  });

  it('reject decides with APPROVAL_REJECTED; an approve after it changes nothing', function () {
    const book = new ApprovalBook();
    const held = book.hold(request('tb-b'), T0, MIN5)!;
    const r = book.answer('tb-b', 'reject', T0 + 10);
    assert.deepEqual(r, { decided: 'rejected', held });
    assert.deepEqual(book.answer('tb-b', 'approve', T0 + 20), { already: 'rejected' });
    const rejection = approvalRejection(held, 'rejected', T0 + 10);
    assert.equal(rejection.code, APPROVAL_REJECTED);
    assert.equal(rejection.clientOrderId, 'tb-b');
    assert.equal(rejection.signalId, 'sig-tb-b');
  });

  it('expires at the deadline, not before; an approve at or after it expires the request instead', function () {
    const book = new ApprovalBook();
    book.hold(request('tb-c'), T0, MIN5);
    const late = book.hold(request('tb-d'), T0 + 1000, MIN5)!;
    assert.deepEqual(book.expire(T0 + MIN5 - 1), []);
    assert.equal(book.nextExpiry(), T0 + MIN5);
    const due = book.expire(T0 + MIN5);
    assert.deepEqual(due.map((h) => h.request.clientOrderId), ['tb-c']);
    assert.equal(approvalRejection(due[0]!, 'expired', T0 + MIN5).code, APPROVAL_EXPIRED);
    assert.match(approvalRejection(due[0]!, 'expired', T0 + MIN5).reason, /within 5 min/);
    assert.deepEqual(book.answer('tb-c', 'approve', T0 + MIN5), { already: 'expired' });
    assert.deepEqual(book.answer('tb-d', 'approve', T0 + 1000 + MIN5), { decided: 'expired', held: late });
    assert.equal(book.nextExpiry(), undefined);
  });

  it('a request held or answered before is not held again', function () {
    const book = new ApprovalBook();
    assert.ok(book.hold(request('tb-e'), T0, MIN5));
    assert.equal(book.hold(request('tb-e'), T0 + 1, MIN5), undefined);
    book.answer('tb-e', 'reject', T0 + 2);
    assert.equal(book.hold(request('tb-e'), T0 + 3, MIN5), undefined);
    assert.equal(book.held.length, 0);
  });

  it('an unknown id is unknown; undo puts an answered request back to wait', function () {
    const book = new ApprovalBook();
    assert.deepEqual(book.answer('tb-x', 'approve', T0), { unknown: true });
    const held = book.hold(request('tb-f'), T0, MIN5)!;
    book.answer('tb-f', 'approve', T0 + 1);
    book.undo(held);
    assert.equal(book.find('tb-f'), held);
    assert.equal(book.outcomeOf('tb-f'), undefined);
    assert.deepEqual(book.answer('tb-f', 'approve', T0 + 2), { decided: 'approved', held });
  });

  it('the state is plain JSON: a book made from a saved copy answers the same', function () {
    const book = new ApprovalBook();
    book.hold(request('tb-g'), T0, MIN5);
    book.hold(request('tb-h'), T0, MIN5);
    book.answer('tb-h', 'approve', T0 + 5);
    const restored = new ApprovalBook(JSON.parse(JSON.stringify(book.state)));
    assert.equal(restored.find('tb-g')?.expiresAt, T0 + MIN5);
    assert.deepEqual(restored.answer('tb-h', 'approve', T0 + 6), { already: 'approved' });
  });

  it('only entries are held: buys ask, sells never wait', function () {
    assert.equal(isEntry(request('tb-i', 'buy')), true);
    assert.equal(isEntry(request('tb-j', 'sell')), false);
  });

  it('settings: off by default, 5 minutes unless set, a timeout out of range named by its field', function () {
    assert.deepEqual(parseApprovalSettings({}), { askFirst: false, timeoutMs: 300_000 });
    assert.deepEqual(parseApprovalSettings({ askFirst: true, approvalTimeoutSec: '60' }), { askFirst: true, timeoutMs: 60_000 });
    for (const bad of [0, 5, 86_401, 12.5, 'soon', NaN]) {
      assert.throws(() => parseApprovalSettings({ askFirst: true, approvalTimeoutSec: bad }), /approvalTimeoutSec: must be a whole number from 10 to 86400/);
    }
    assert.equal(APPROVAL_TIMEOUT.fallback, 300);
  });
});
