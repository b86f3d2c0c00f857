/**
 * Loads real flows into the real Node-RED runtime (node-red-node-test-helper) with our nodes.
 * Node-RED 5 by default (the dev dependency); TRADEBOT_NODE_RED_PATH points at another install (the Node-RED 4.1 run, scripts/test-node-red-4.sh).
 */
import helper from 'node-red-node-test-helper';
import candlesNode from '../../nodes/tradebot-candles/tradebot-candles';
import exchangeNode from '../../nodes/tradebot-exchange/tradebot-exchange';
import indicatorNode from '../../nodes/tradebot-indicator/tradebot-indicator';
import strategyNode from '../../nodes/tradebot-strategy/tradebot-strategy';
import riskGateNode from '../../nodes/tradebot-risk-gate/tradebot-risk-gate';
import placeOrderNode from '../../nodes/tradebot-place-order/tradebot-place-order';
import telegramNode from '../../nodes/tradebot-telegram/tradebot-telegram';
import notifierNode from '../../nodes/tradebot-notifier/tradebot-notifier';
import telegramControlNode from '../../nodes/tradebot-telegram-control/tradebot-telegram-control';
import redisNode from '../../nodes/tradebot-redis/tradebot-redis';
import databaseNode from '../../nodes/tradebot-database/tradebot-database';
import orderBookNode from '../../nodes/tradebot-order-book/tradebot-order-book';
import tickerNode from '../../nodes/tradebot-ticker/tradebot-ticker';
import streamOutNode from '../../nodes/tradebot-stream-out/tradebot-stream-out';
import streamInNode from '../../nodes/tradebot-stream-in/tradebot-stream-in';
import streamAckNode from '../../nodes/tradebot-stream-ack/tradebot-stream-ack';
import journalNode from '../../nodes/tradebot-journal/tradebot-journal';
import pairlistNode from '../../nodes/tradebot-pairlist/tradebot-pairlist';

helper.init(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'));

export { helper };
export const tradebotNodes = [exchangeNode, tickerNode, orderBookNode, candlesNode, indicatorNode, strategyNode, riskGateNode, placeOrderNode, telegramNode, notifierNode, telegramControlNode, redisNode, databaseNode, streamOutNode, streamInNode, streamAckNode, journalNode, pairlistNode];

export type FlowNode = Record<string, unknown> & { id: string; type: string };

// Core nodes the tests wire in (the helper only knows the ones it is given).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const catchNode = require(require.resolve('@node-red/nodes/core/common/25-catch.js', { paths: [nodeRedDir()] }));

function nodeRedDir(): string {
  return require('node:path').dirname(process.env.TRADEBOT_NODE_RED_PATH || require.resolve('node-red'));
}

const TAB = 'tradebot-test-tab';
/** Config node types stay global, as the editor keeps them. */
const CONFIG_TYPES = ['tradebot-exchange', 'tradebot-telegram', 'tradebot-redis', 'tradebot-database'];

/** Loads the flow on one tab (Catch nodes catch within their tab); config nodes stay global. */
export async function loadFlow(flow: FlowNode[], credentials: Record<string, unknown> = {}): Promise<void> {
  const onTab = flow.map((n) => (CONFIG_TYPES.includes(n.type) || n.z ? n : { ...n, z: TAB }));
  await helper.load([...tradebotNodes, catchNode] as any, [{ id: TAB, type: 'tab', label: 'test' }, ...onTab], credentials as any);
}

export async function unloadFlow(): Promise<void> {
  await helper.unload();
}

export function getNode(id: string): any {
  const node = helper.getNode(id);
  if (!node) throw new Error(`node ${id} is not in the flow`);
  return node;
}

/** Messages arriving at a helper node, with a way to wait for the n-th. */
export class Inbox {
  readonly messages: any[] = [];
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  /** `keep` picks the messages this inbox collects (e.g. only rejections from a risk gate's output 2). */
  constructor(nodeId: string, keep: (msg: any) => boolean = () => true) {
    getNode(nodeId).on('input', (msg: any) => {
      if (!keep(msg)) return;
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length >= w.n) w.resolve();
        return this.messages.length < w.n;
      });
    });
  }

  /** Resolves with the first `n` messages, or rejects after `timeoutMs` saying how many came. */
  async take(n: number, timeoutMs = 10_000): Promise<any[]> {
    if (this.messages.length < n) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${n} messages within ${timeoutMs} ms, got ${this.messages.length}`)),
          timeoutMs,
        );
        this.waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.messages.slice(0, n);
  }
}

/** A risk gate's refusals on its output 2, without its lifecycle events (kill switch, force exits). */
export const isRejection = (msg: any): boolean => msg?.payload?.kind === 'rejection';

/** Every status a node set, in order (the helper emits call:status for each). */
export function recordStatuses(nodeId: string): Array<{ fill?: string; shape?: string; text?: string }> {
  const statuses: Array<{ fill?: string; shape?: string; text?: string }> = [];
  getNode(nodeId).on('call:status', (call: any) => statuses.push(call.args[0]));
  return statuses;
}

/**
 * Every status a node has set so far, constructor included, read from the helper's spy on Node's
 * prototype (a node's own `status` is the redaction wrapper, which calls through to that spy).
 */
export function statusesSoFar(node: any): Array<{ fill?: string; shape?: string; text?: string }> {
  for (let proto = Object.getPrototypeOf(node); proto; proto = Object.getPrototypeOf(proto)) {
    const spy = Object.getOwnPropertyDescriptor(proto, 'status')?.value;
    if (typeof spy?.getCalls === 'function') return spy.getCalls().filter((call: any) => call.thisValue === node).map((call: any) => call.args[0]);
  }
  throw new Error('statusesSoFar: no spied status on the node (is this node-red-node-test-helper?)');
}

export { sleep, waitFor, waitForAsync } from './wait';
