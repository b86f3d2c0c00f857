/**
 * Loads ccxt lazily, one exchange class at a time.
 *
 * `require('ccxt')` pulls in every exchange (+70 MB RSS, 0.35 s on a 2-core box);
 * importing the one ESM class a flow uses costs about half. A flow on the simulated
 * market never calls anything here, so it never loads ccxt at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// tsc compiles `import()` to `require()` under CommonJS; ccxt's per-exchange files are ESM,
// so keep a real dynamic import.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

/** The shape of a ccxt exchange instance that the core relies on (ccxt's own types are ESM-only). */
export type CcxtExchange = any;

let cachedIds: string[] | undefined;
let loads = 0;

/** How many exchange classes this process loaded; a sim-only flow keeps it at 0. */
export function ccxtLoadCount(): number {
  return loads;
}

function ccxtRoot(): string {
  // require.resolve('ccxt') -> <root>/dist/ccxt.cjs
  return path.dirname(path.dirname(require.resolve('ccxt')));
}

/**
 * Every exchange id ccxt knows, read from ccxt's index source text so the editor's exchange
 * list costs no memory. Falls back to loading ccxt when the file layout is not the expected one.
 */
export function listExchangeIds(): string[] {
  if (cachedIds) return cachedIds;
  try {
    const source = fs.readFileSync(path.join(ccxtRoot(), 'js', 'ccxt.js'), 'utf8');
    const block = /const exchanges = \{([\s\S]*?)\};/.exec(source);
    const ids = block ? [...block[1]!.matchAll(/'([a-z0-9]+)':/g)].map((m) => m[1]!) : [];
    if (ids.length > 20) return (cachedIds = ids);
  } catch {
    /* fall through to the slow path */
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cachedIds = (require('ccxt') as { exchanges: string[] }).exchanges.slice();
  return cachedIds;
}

export function hasWebsocketClass(id: string): boolean {
  return fs.existsSync(path.join(ccxtRoot(), 'js', 'src', 'pro', `${id}.js`));
}

/** Loads the class for `id`, the websocket (ccxt pro) flavour when ccxt has one. */
export async function loadExchangeClass(id: string): Promise<new (config: object) => CcxtExchange> {
  if (!/^[a-z0-9]+$/.test(id) || !listExchangeIds().includes(id)) {
    throw new Error(`exchange "${id}" is not one of ccxt's exchanges; pick one from the list (for example binance, kraken, coinbase)`);
  }
  loads++;
  const file = hasWebsocketClass(id)
    ? path.join(ccxtRoot(), 'js', 'src', 'pro', `${id}.js`)
    : path.join(ccxtRoot(), 'js', 'src', `${id}.js`);
  try {
    const mod = await dynamicImport(pathToFileURL(file).href);
    return mod.default;
  } catch {
    // ccxt changed its layout: the whole bundle still works, it just costs more memory.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ccxt = require('ccxt') as any;
    return (ccxt.pro && ccxt.pro[id]) || ccxt[id];
  }
}

// The API URL override has its own rules and file; kept importable from here.
export { apiUrlMap, overrideApiUrls } from './api-url-override';

/**
 * True when a ccxt error is transient and a market-data READ is worth retrying: ccxt's
 * OperationFailed family (network errors, timeouts, 5xx, rate limits, garbled or empty
 * responses). Orders are stricter (later: network class only, after reconciliation).
 */
export function isRetryableError(err: unknown): boolean {
  return errorClassChain(err).some((name) => name === 'OperationFailed');
}

/** True when a ccxt error says we are being rate limited. */
export function isRateLimitError(err: unknown): boolean {
  return errorClassChain(err).some((name) => name === 'DDoSProtection' || name === 'RateLimitExceeded');
}

/** Names of the error's class and its ancestors, e.g. [RequestTimeout, NetworkError, OperationFailed, BaseError, Error]. */
export function errorClassChain(err: unknown): string[] {
  const names: string[] = [];
  let proto = err && typeof err === 'object' ? Object.getPrototypeOf(err) : null;
  while (proto && proto !== Object.prototype) {
    if (proto.constructor?.name) names.push(proto.constructor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}
