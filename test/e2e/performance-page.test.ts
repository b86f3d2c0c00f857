/**
 * The performance page through a real Node-RED process with adminAuth on, running example 08 (the
 * trading pipeline on the simulated market, sped up): the page, its JSON and trades.csv need a
 * token with tradebot-exchange.read (a user without it is refused); opened with ?access_token= the
 * page passes the token on to what it loads. In Debian's chromium (playwright-core; required in
 * CI) the charts are drawn with no page error and no request leaving the machine, and as the
 * example goes on trading the tables update by themselves, without a reload. A screenshot goes to
 * test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeRedProcess, ROOT, killAllNodeRed, makeUserDir, removeUserDir, type FlowNode } from '../support/node-red-process';
import { launchBrowser, requireBrowser, screenshot, watchPage } from '../support/browser';

/** Example 08 runs at 300x; here 3000x: a trade every few seconds, as a minute of the example would show. */
const SIM_SPEED = 3000;
const PASSWORD = 'a-long-test-password-for-admin-auth';

/**
 * settings.js: the one `npm start` uses, plus adminAuth with two users (the credentials checked by
 * functions, so no password hash is needed): "admin" may do everything, "backtester" only read
 * backtest reports.
 */
function writeSettings(userDir: string): string {
  const file = path.join(userDir, 'settings-auth.js');
  fs.writeFileSync(
    file,
    `const base = require(${JSON.stringify(path.join(ROOT, 'scripts', 'node-red-settings.js'))});
const users = { admin: '*', backtester: 'tradebot-backtest.read' };
module.exports = Object.assign({}, base, {
  adminAuth: {
    type: 'credentials',
    users: (username) => Promise.resolve(users[username] ? { username, permissions: users[username] } : null),
    authenticate: (username, password) => Promise.resolve(users[username] && password === ${JSON.stringify(PASSWORD)} ? { username, permissions: users[username] } : null),
  },
});
`,
  );
  return file;
}

async function token(base: string, username: string, scope: string): Promise<string> {
  const res = await fetch(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password: PASSWORD }).toString(),
  });
  assert.equal(res.status, 200, `login of ${username}: ${await res.clone().text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('performance page (real Node-RED process with adminAuth, example 08)', function () {
  this.timeout(180_000);
  let red: NodeRedProcess | undefined;
  let userDir: string | undefined;

  after(async () => {
    await red?.stop();
    await killAllNodeRed();
    removeUserDir(userDir);
  });

  it('needs a token; shows the trades; in a browser draws the charts and updates itself without a reload', async function () {
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', '08 Trading pipeline.json'), 'utf8')) as FlowNode[];
    const exchange = example.find((n) => n.type === 'tradebot-exchange')!;
    const flow = example.map((n) => (n.type === 'tradebot-exchange' ? { ...n, simSpeed: SIM_SPEED } : n));
    userDir = makeUserDir('tradebot-performance-page-');
    red = await NodeRedProcess.start({ userDir, flow, settings: writeSettings(userDir) });
    const page = `${red.base}/tradebot/performance/${exchange.id}`;

    // adminAuth: nothing without a token, nothing for a user without tradebot-exchange.read.
    for (const url of [page, `${page}.json`, `${page}/trades.csv`, `${red.base}/tradebot/performance/assets/performance-page.js`]) {
      assert.equal((await fetch(url)).status, 401, url);
    }
    const other = await token(red.base, 'backtester', 'tradebot-backtest.read');
    assert.equal((await fetch(`${page}.json`, { headers: { Authorization: `Bearer ${other}` } })).status, 401, 'tradebot-backtest.read is not enough');
    const admin = await token(red.base, 'admin', '*');
    const auth = { headers: { Authorization: `Bearer ${admin}` } };

    // The example trades by itself: wait for closed trades in the JSON.
    const deadline = Date.now() + 90_000;
    let data: any;
    for (;;) {
      const res = await fetch(`${page}.json`, auth);
      assert.equal(res.status, 200, await res.clone().text());
      data = await res.json();
      if (data.tradesTotal >= 1) break;
      if (Date.now() > deadline) throw new Error(`no closed trade within 90 s\n${red.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const trade = data.trades[0];
    assert.equal(trade.symbol, 'BTC/USDT');
    assert.equal(data.exchangeNode.name, exchange.name);

    // Opened with ?access_token= (a new tab has no Authorization header): every URL in the page carries it on.
    const query = `?access_token=${encodeURIComponent(admin)}`;
    const res = await fetch(`${page}${query}`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.includes(`<td class="l">${trade.exitOrder}</td>`) && html.includes(`<td class="l reason">${trade.exitReason}</td>`), 'the trade and its exit reason on the page');
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 3);
    for (const src of scripts) {
      assert.ok(src.endsWith(query), src);
      assert.equal((await fetch(new URL(src, page))).status, 200, src);
    }
    const csv = await fetch(new URL(`${exchange.id}/trades.csv${query}`, page));
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-disposition') ?? '', /^attachment/);
    assert.ok((await csv.text()).includes(`${trade.id},BTC/USDT,`));

    // A real browser (test/support/browser.ts): required in CI, skipped with a message elsewhere without one.
    if (requireBrowser()) {
      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
        const { errors, outside } = watchPage(tab, red.base);
        const loaded = await tab.goto(`${page}${query}`, { waitUntil: 'load' });
        assert.equal(loaded?.status(), 200);
        for (const chart of ['#equity-chart', '#daily-chart']) {
          await tab.waitForSelector(`${chart} canvas`, { timeout: 15_000 });
          const drawn = await tab.$$eval(`${chart} canvas`, (els: any[]) => els.filter((c) => c.width > 0 && c.height > 0).length);
          assert.ok(drawn > 0, `${chart}: a canvas with a size`);
          assert.equal(await tab.$eval(chart, (el: any) => el.querySelector('.chart-error') === null), true, `${chart}: no error message`);
        }
        const shown = async () => Number(/\((\d+)\)/.exec(await tab.$eval('#trades-title', (el: any) => el.textContent))![1]);
        const before = await shown();
        assert.ok(before >= 1);
        // A mark on the window: a reload would remove it.
        await tab.evaluate(() => ((window as any).notReloaded = true));
        await tab.waitForFunction((n: number) => Number(/\((\d+)\)/.exec(document.getElementById('trades-title')!.textContent!)![1]) > n && document.querySelectorAll('#trades tbody tr').length > n, before, { timeout: 60_000, polling: 500 });
        assert.equal(await tab.evaluate(() => (window as any).notReloaded), true, 'updated without a reload');
        assert.match(await tab.$eval('#updated', (el: any) => el.textContent), /^updated \d\d:\d\d:\d\d$/);
        const rows = await tab.$$eval('#trades tbody tr', (els: any[]) => els.length);
        assert.ok(rows > before, `${rows} rows after the refresh, ${before} before`);
        assert.deepEqual(errors, [], 'no page errors');
        assert.deepEqual(outside, [], 'no request leaves the Node-RED server');
        await screenshot(tab, 'performance-page', true);
      } finally {
        await browser.close();
      }
    }
    assert.deepEqual(red.errors(), [], 'no errors in the Node-RED log');
  });
});
