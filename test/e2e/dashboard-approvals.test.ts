/**
 * The dashboard approvals example ("24 Dashboard approvals - needs FlowFuse Dashboard 2") the way a
 * user runs it, as the dashboard example suite does (test/e2e/dashboard-example.test.ts): our
 * package as `npm pack` makes it in a fresh Node-RED user dir, FlowFuse Dashboard 2 installed there
 * (test/support/dashboard-install.ts), the example as flows.json, the real Node-RED started on it.
 *
 * What a user would check: the flow deploys with no missing type, no red status, nothing logged at
 * error level; in Debian's chromium the page "Approvals" lists the buy the risk gate holds (Ask
 * first on); pressing its Approve sends exactly one order (the "orders" debug node, read over the
 * editor's /comms websocket, shows that client order id's updates: one exchange order, filled, no
 * duplicate) and the row leaves the list; pressing Reject on the next held buy gives
 * APPROVAL_REJECTED (the "rejections" debug node) and no order with its client order id. Screenshots go
 * to test-output/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { killAllNodeRed, type NodeRedProcess } from '../support/node-red-process';
import type { PackedUserDir } from '../support/packed-install';
import { launchBrowser, requireBrowser, screenshot, watchPage } from '../support/browser';
import { DASHBOARD_VERSION, namedIn, readDashboardExample, startDashboardExample, userDirWithDashboardExample } from '../support/dashboard-install';
import type { DebugSidebar } from '../support/debug-sidebar';
import { waitFor } from '../support/wait';

const EXAMPLE = '24 Dashboard approvals - needs FlowFuse Dashboard 2.json';
/** The first buy is held within seconds (simulator at 300x); the next one needs a sell first (one position at a time). */
const HELD_TIMEOUT_MS = 90_000;

describe(`dashboard approvals example (${EXAMPLE}): packed install + FlowFuse Dashboard ${DASHBOARD_VERSION}, real Node-RED, chromium`, function () {
  this.timeout(300_000);
  const example = readDashboardExample(EXAMPLE);
  const named = namedIn(example);
  let packed: PackedUserDir | undefined;
  let red: NodeRedProcess | undefined;
  let browser: Browser | undefined;
  let sidebar: DebugSidebar | undefined;
  /** The payloads a debug node of the example showed (the debug sidebar's messages). */
  const debugPayloads = (name: string): any[] => sidebar!.of(named('debug', name));

  before(async function () {
    ({ packed } = await userDirWithDashboardExample(this, EXAMPLE, 'dashboard approvals example'));
  });

  after(async function () {
    sidebar?.close();
    await browser?.close();
    await red?.stop();
    await killAllNodeRed();
    packed?.remove();
  });

  it('deploys: every type known, the risk gate armed with ask first, nothing in error', async function () {
    // Every type installed, the whole example deployed; statuses and debug messages from the start.
    ({ red, sidebar } = await startDashboardExample(packed!, example));
    const gate = example.find((n) => n.type === 'tradebot-risk-gate')!;
    assert.equal(gate.askFirst, true, 'the example\'s risk gate asks first');
    const gateStatus = () => sidebar!.statuses(gate);
    await waitFor(() => gateStatus().some((t) => /ask first|waiting for approval/.test(t)), 20_000, `the risk gate armed with ask first (statuses: ${gateStatus().join(' | ')})`);
    assert.deepEqual(red.errors(), [], `nothing logged at error level:\n${red.log}`);
    assert.doesNotMatch(red.log, /\[warn\].*\[(ui-|tradebot-)/, `no warning from a node of the example:\n${red.log}`);
  });

  it('on the Approvals page, Approve sends exactly one order; Reject sends none and gives APPROVAL_REJECTED', async function () {
    if (!red) this.skip();
    if (!requireBrowser(this)) return;
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watched = watchPage(page, red!.base);
    const uiPage = example.find((n) => n.type === 'ui-page')!;
    await page.goto(`${red!.base}/dashboard${uiPage.path as string}`, { waitUntil: 'domcontentloaded' });
    const template = page.locator(`#nrdb-ui-widget-${named('ui-template', 'held requests, Approve / Reject').id}`);
    const textOf = async (name: string) => (await page.locator(`#nrdb-ui-widget-${named('ui-text', name).id}`).textContent()) ?? '';
    const ordersOf = (clientOrderId: string) => debugPayloads('orders').filter((p) => p?.clientOrderId === clientOrderId);

    /** The id of a held request shown on the page other than those given, once one is listed. */
    const nextHeld = async (not: string[]): Promise<string> => {
      const handle = await page.waitForFunction(
        ([sel, seen]) => Array.from(document.querySelectorAll(`${sel} tr[data-client-order-id]`)).map((r) => r.getAttribute('data-client-order-id')).find((id) => id && !seen.includes(id)),
        [`#nrdb-ui-widget-${named('ui-template', 'held requests, Approve / Reject').id}`, not] as const,
        { timeout: HELD_TIMEOUT_MS },
      );
      return (await handle.jsonValue()) as string;
    };
    const row = (id: string) => template.locator(`tr[data-client-order-id="${id}"]`);

    try {
      // A held buy: listed with its symbol, and nothing ordered for it yet.
      const approved = await nextHeld([]);
      assert.match((await row(approved).textContent()) ?? '', /BTC\/USDT\s*buy\s*[\d.]+\s*market/);
      assert.deepEqual(ordersOf(approved), [], 'a held request places no order');
      await screenshot(page, 'dashboard-approvals-held', true);
      await row(approved).locator('button', { hasText: 'Approve' }).click();
      await waitFor(() => ordersOf(approved).some((o) => o.status === 'closed'), 20_000, `the approved buy's order filled (orders: ${JSON.stringify(ordersOf(approved))})`);
      await row(approved).waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForFunction(([sel, id]) => /BTC\/USDT: approved/.test(document.querySelector(sel)?.textContent ?? '') && (document.querySelector(sel)?.textContent ?? '').includes(id), [`#nrdb-ui-widget-${named('ui-text', 'last answer').id}`, approved] as const, { timeout: 10_000 });

      // The next held buy (after the strategy's sell): Reject.
      const rejected = await nextHeld([approved]);
      await row(rejected).locator('button', { hasText: 'Reject' }).click();
      await waitFor(() => debugPayloads('rejections (APPROVAL_REJECTED, ...)').some((r) => r?.code === 'APPROVAL_REJECTED' && r.clientOrderId === rejected), 10_000, 'APPROVAL_REJECTED for the rejected request');
      await row(rejected).waitFor({ state: 'detached', timeout: 10_000 });
      await page.waitForFunction(([sel, id]) => /BTC\/USDT: rejected/.test(document.querySelector(sel)?.textContent ?? '') && (document.querySelector(sel)?.textContent ?? '').includes(id), [`#nrdb-ui-widget-${named('ui-text', 'last answer').id}`, rejected] as const, { timeout: 10_000 });
      await screenshot(page, 'dashboard-approvals', true);

      // By now (the approved buy long filled, a sell, a reject later): one order for the approved id, none for the rejected one.
      const updates = ordersOf(approved);
      assert.equal(new Set(updates.map((o) => o.id)).size, 1, `one exchange order for ${approved}: ${JSON.stringify(updates)}`);
      assert.ok(updates.every((o) => o.side === 'buy' && o.id !== null), `a placed buy: ${JSON.stringify(updates)}`);
      assert.equal(updates.filter((o) => o.status === 'closed').length, 1, 'filled once');
      assert.deepEqual(ordersOf(rejected), [], 'no order for the rejected request');
      assert.match(await textOf('last order'), /BTC\/USDT/);
    } catch (err) {
      await screenshot(page, 'dashboard-approvals-failed', true).catch(() => undefined);
      throw err;
    }

    assert.deepEqual(watched.errors, [], 'no page errors or console errors');
    assert.deepEqual(watched.outside, [], 'the dashboard loads nothing from outside the Node-RED server');
    assert.deepEqual(debugPayloads('errors'), [], 'nothing reached the catch node');
    assert.deepEqual(red!.errors(), [], `nothing logged at error level:\n${red!.log}`);
  });
});
