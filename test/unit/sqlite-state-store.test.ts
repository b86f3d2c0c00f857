/**
 * The tradebot database and its state store, on real files: what is written is there after a
 * reopen and after the writing process is killed (no close), WAL with synchronous=FULL, several
 * users of one file share one connection, lists written as deltas read back exactly, bad paths
 * and foreign files give a sentence naming the file, and an upgrade takes the old context state over once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStore } from '../../core/state-store';
import { SqliteStateStore } from '../../core/storage/sqlite-state-store';
import { resolveStateFile } from '../../core/storage/state-file';
import { SCHEMA_VERSION, TradebotDb } from '../../core/storage/tradebot-db';
import { UpgradingStore } from '../../core/storage/upgrade-store';

describe('tradebot database: the SQLite state store', function () {
  let dir: string;
  const stores: SqliteStateStore[] = [];
  const store = (file = path.join(dir, 'tradebot.sqlite')) => {
    const s = new SqliteStateStore(file);
    stores.push(s);
    return s;
  };

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tradebot-db-test-'))));
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('what was set is there after closing and opening the file again, lists included', async function () {
    const a = store();
    const account = { portfolio: { balances: { USDT: { free: 10, used: 0 } } }, open: [{ id: 'x' }], done: ['tb-1', 'tb-2'], stops: [], note: 'é "quoted" \n' };
    await a.set('tradebot:account:ex:sim', account);
    await a.set('tradebot:sim:ex', { now: 123, prices: { 'BTC/USDT': 60_000 } });
    await a.set('plain', 42);
    a.close();
    const b = store();
    assert.deepEqual(await b.get('tradebot:account:ex:sim'), account);
    assert.deepEqual(await b.get('tradebot:sim:ex'), { now: 123, prices: { 'BTC/USDT': 60_000 } });
    assert.equal(await b.get('plain'), 42);
    assert.equal(await b.get('missing'), undefined);
    await b.delete('plain');
    assert.equal(await b.get('plain'), undefined);
  });

  it('id lists that grow at the end and are trimmed at the front (written as deltas) read back exactly, across reopens', async function () {
    const file = path.join(dir, 'lists.sqlite');
    let s = store(file);
    const model: { done: string[]; approved: string[]; other: number[]; open: unknown[] } = { done: [], approved: [], other: [1], open: [] };
    let n = 0;
    // A seeded walk: appends, trims, a rewrite now and then, reopens in between.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let step = 0; step < 300; step++) {
      const r = rnd();
      if (r < 0.6) model.done.push(`tb-${n++}`);
      else if (r < 0.75) model.done.splice(0, Math.ceil(rnd() * 3));
      else if (r < 0.85) model.approved.push(`sig-${n++}`, `sig-${n++}`);
      else if (r < 0.9) model.done.reverse(); // any other change: rewritten
      else if (r < 0.95) model.open = model.open.length ? [] : [{ request: { clientOrderId: `tb-${n}` } }];
      else {
        s.close();
        s = store(file);
        assert.deepEqual(await s.get('doc'), step === 0 ? undefined : model, `after a reopen at step ${step}`);
      }
      await s.set('doc', structuredClone(model));
      if (step % 37 === 0) assert.deepEqual(await s.get('doc'), model, `read back at step ${step}`);
    }
    s.close();
    assert.deepEqual(await store(file).get('doc'), model);
    // Rows are kept only for the current items: trimmed ids are gone from the file.
    const db = TradebotDb.open(file);
    const rows = (db.db.prepare('SELECT count(*) AS n FROM state_items').get() as { n: number }).n;
    db.release();
    assert.equal(rows, model.done.length + model.approved.length);
  });

  it('a list that stops being a list of strings, and a document that becomes a plain value, leave no stale rows', async function () {
    const s = store();
    await s.set('k', { ids: ['a', 'b'] });
    await s.set('k', { ids: [{ a: 1 }] });
    assert.deepEqual(await s.get('k'), { ids: [{ a: 1 }] });
    await s.set('k', { ids: ['c'] });
    await s.set('k', 'text');
    assert.equal(await s.get('k'), 'text');
    await s.set('k', { ids: [] });
    assert.deepEqual(await s.get('k'), { ids: [] });
  });

  it('a write is on disk when set() resolves: a child process killed with SIGKILL right after it (no close) left it in the file', async function () {
    const file = path.join(dir, 'killed.sqlite');
    const storeModule = require.resolve('../../core/storage/sqlite-state-store');
    const script = `
      const { SqliteStateStore } = require(${JSON.stringify(storeModule)});
      const s = new SqliteStateStore(${JSON.stringify(file)});
      (async () => {
        for (let i = 1; i <= 50; i++) await s.set('doc', { n: i, done: Array.from({ length: i }, (_, k) => 'tb-' + k) });
        process.emitWarning('another experimental thing', 'ExperimentalWarning');
        // (after the warning, which is printed on the next tick)
        setImmediate(() => process.stdout.write('written\\n'));
        setInterval(() => {}, 1000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('written')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    assert.ok(fs.existsSync(file + '-wal'), 'the commits are in the WAL (not checkpointed before the kill)');
    assert.doesNotMatch(stderr, /SQLite is an experimental feature/, 'node:sqlite\'s warning is kept out of the log');
    assert.match(stderr, /another experimental thing/, 'other warnings are still shown');
    assert.deepEqual(await store(file).get('doc'), { n: 50, done: Array.from({ length: 50 }, (_, k) => 'tb-' + k) });
  });

  it('the file is in WAL mode with synchronous=FULL and carries its schema version', async function () {
    const s = store();
    await s.set('k', { v: 1 });
    const db = TradebotDb.open(s.file);
    try {
      assert.equal((db.db.prepare('PRAGMA journal_mode').get() as any).journal_mode, 'wal');
      assert.equal((db.db.prepare('PRAGMA synchronous').get() as any).synchronous, 2, 'FULL: every commit fsync\'d');
      assert.equal((db.db.prepare('PRAGMA user_version').get() as any).user_version, SCHEMA_VERSION);
    } finally {
      db.release();
    }
  });

  it('users of one file share one connection; it closes when the last releases it', async function () {
    const file = path.join(dir, 'shared.sqlite');
    const a = store(file);
    const b = store(file);
    assert.equal(a.open().db, b.open().db, 'one connection per file');
    // Interleaved writers of different keys (two exchange nodes), and of the same key.
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).set(`k${i % 4}`, { i, ids: [`x${i}`] })));
    for (let k = 0; k < 4; k++) assert.deepEqual(await a.get(`k${k}`), await b.get(`k${k}`));
    const shared = a.open().db;
    a.close();
    assert.equal(shared.isOpen, true, 'still open for b');
    await b.set('after', 1);
    await assert.rejects(a.get('after'), /state store was closed/);
    b.close();
    assert.equal(shared.isOpen, false, 'closed with its last user');
    assert.equal(await store(file).get('after'), 1);
  });

  it('a bad path or a foreign file is refused with a sentence naming the file', async function () {
    const aFile = path.join(dir, 'plain.txt');
    fs.writeFileSync(aFile, 'not a directory');
    assert.throws(() => store(path.join(aFile, 'tradebot.sqlite')).open(), (err: Error) => err.message.includes(path.join(aFile, 'tradebot.sqlite')) && /cannot open the tradebot state file .*: a part of the path is a file/.test(err.message));
    assert.throws(() => store(dir).open(), new RegExp(`cannot (open|use) the tradebot state file ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const foreign = path.join(dir, 'foreign.sqlite');
    fs.writeFileSync(foreign, 'x'.repeat(4096));
    assert.throws(() => store(foreign).open(), /cannot use the tradebot state file .*foreign\.sqlite: .*not a database/);
    // A file from a newer version of the package: refused, not changed.
    const newer = path.join(dir, 'newer.sqlite');
    const db = TradebotDb.open(newer);
    db.db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.release();
    assert.throws(() => store(newer).open(), /newer version of node-red-contrib-tradebot/);
    await assert.rejects(store(path.join(aFile, 'x.sqlite')).set('k', 1), /a part of the path is a file/);
  });

  it('without a configured file and user dir: a temporary file, removed when its last user closes', async function () {
    const a = new SqliteStateStore(undefined);
    const b = new SqliteStateStore(undefined);
    await a.set('k', { ids: ['a'] });
    assert.deepEqual(await b.get('k'), { ids: ['a'] }, 'the same temporary database for everyone in the flow');
    const file = a.location;
    assert.ok(file.startsWith(os.tmpdir()));
    a.close();
    b.close();
    assert.equal(fs.existsSync(file), false, 'removed');
    const c = new SqliteStateStore(undefined);
    assert.equal(await c.get('k'), undefined, 'the next flow starts clean');
    c.close();
  });

  it('where the file is: settings.js, then TRADEBOT_STATE_FILE, then the user dir', function () {
    assert.equal(resolveStateFile({ setting: '/a/b.sqlite', env: '/c.sqlite', userDir: '/u' }), '/a/b.sqlite');
    assert.equal(resolveStateFile({ setting: 'rel.sqlite', userDir: '/u' }), '/u/rel.sqlite');
    assert.equal(resolveStateFile({ env: '/c.sqlite', userDir: '/u' }), '/c.sqlite');
    assert.equal(resolveStateFile({ userDir: '/u' }), '/u/tradebot.sqlite');
    assert.equal(resolveStateFile({}), undefined);
    assert.throws(() => resolveStateFile({ setting: 5 }), /tradebotStateFile: must be a file path/);
  });

  it('upgrade: a state found only in the old (context) store is taken over once, and never again', async function () {
    const old = new MemoryStore();
    await old.set('tradebot:account:ex:live', { open: [{ id: 'o1' }], done: ['tb-a'] });
    const taken: string[] = [];
    const s = new UpgradingStore(store(), old, (key) => taken.push(key));
    assert.deepEqual(await s.get('tradebot:account:ex:live'), { open: [{ id: 'o1' }], done: ['tb-a'] });
    assert.deepEqual(taken, ['tradebot:account:ex:live']);
    assert.equal(await s.get('tradebot:risk:r1'), undefined);
    await s.delete('tradebot:account:ex:live');
    await old.set('tradebot:risk:r1', { approved: ['late'] });
    assert.equal(await s.get('tradebot:account:ex:live'), undefined, 'deleted stays deleted: the old store is asked only once');
    assert.equal(await s.get('tradebot:risk:r1'), undefined, 'asked once already');
    assert.deepEqual(await old.get('tradebot:account:ex:live'), { open: [{ id: 'o1' }], done: ['tb-a'] }, 'the old store is left as it was');
  });
});
