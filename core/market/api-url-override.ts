/**
 * The exchange node's "API URL": every API address of the exchange, REST and websocket, is
 * pointed at one base URL (a self-hosted proxy, or a mock exchange in tests).
 *
 * Rules (docs/exchanges.md lists the result for each tested exchange):
 *  1. The path is kept as ccxt wrote it, and only the path: `https://api.binance.com/api/v3` ->
 *     `http://127.0.0.1:9000/api/v3`. A bare host stays bare: `https://api.kraken.com` ->
 *     `http://127.0.0.1:9000` (ccxt appends `/0/public/...` itself; a trailing slash here would
 *     make `//0/public/...`, which a server that does not merge slashes answers with 404).
 *  2. Websocket addresses become ws:// (wss:// when the base URL is https://).
 *  3. Two different hosts must not end up at one address, or a proxy cannot tell which is meant
 *     (Kraken's public and private websockets both end in `/v2`): the addresses are taken in
 *     ccxt's order, public ones first, and the first host at an address keeps it; every other
 *     host at that address gets its own host name as the first path segment:
 *     `wss://ws.kraken.com/v2` -> `ws://127.0.0.1:9000/v2`,
 *     `wss://ws-auth.kraken.com/v2` -> `ws://127.0.0.1:9000/ws-auth.kraken.com/v2`.
 *  4. A base URL with a path prefixes every address: `https://proxy.example/kraken` ->
 *     `https://proxy.example/kraken/0/public/...`.
 */

interface Leaf {
  /** Where in ccxt's `urls.api` tree, e.g. ['ws', 'privateV2']. */
  path: string[];
  url: URL;
  /** The path exactly as written after the host ('' for a bare host). */
  rawPath: string;
  isWs: boolean;
}

/** Path and query after the host, as written: `https://h` -> '', `https://h/` -> '/', `https://h:1/a?b` -> '/a?b'. */
function rawPathOf(value: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(value);
  return m ? m[1]! : '';
}

function collect(value: unknown, path: string[], out: Leaf[]): void {
  if (typeof value === 'string') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return;
    }
    if (!/^(https?|wss?):$/.test(url.protocol)) return;
    out.push({ path, url, rawPath: rawPathOf(value), isWs: url.protocol === 'ws:' || url.protocol === 'wss:' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, [...path, String(i)], out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collect(v, [...path, k], out);
  }
}

/** Public addresses first (a proxy's plain routes serve market data), otherwise ccxt's order. */
function isPublic(leaf: Leaf): boolean {
  return leaf.path.some((segment) => /^public/i.test(segment));
}

/**
 * Where each of the exchange's addresses goes: original -> rewritten, in the order decided
 * above. The exchange node's dialog and log show this list.
 */
export function apiUrlMap(urls: unknown, baseUrl: string): Array<{ key: string; from: string; to: string }> {
  const base = new URL(baseUrl);
  const secure = base.protocol === 'https:';
  const basePath = base.pathname.replace(/\/$/, '');
  const leaves: Leaf[] = [];
  collect(urls, [], leaves);
  const ordered = [...leaves.filter(isPublic), ...leaves.filter((l) => !isPublic(l))];
  /** address (protocol family + path) -> the host that has it */
  const owner = new Map<string, string>();
  const rewritten = new Map<Leaf, string>();
  for (const leaf of ordered) {
    const protocol = leaf.isWs ? (secure ? 'wss:' : 'ws:') : base.protocol;
    const pathOnly = leaf.rawPath.replace(/[?#].*$/, '');
    const address = `${leaf.isWs ? 'ws' : 'http'} ${pathOnly.replace(/\/$/, '')}`;
    const host = leaf.url.hostname;
    const first = owner.get(address);
    if (first === undefined) owner.set(address, host);
    const prefix = first === undefined || first === host ? '' : `/${host}`;
    rewritten.set(leaf, `${protocol}//${base.host}${basePath}${prefix}${leaf.rawPath}`);
  }
  return leaves.map((leaf) => ({ key: leaf.path.join('.'), from: leaf.url.href.replace(/\/$/, leaf.rawPath === '' ? '' : '/'), to: rewritten.get(leaf)! }));
}

/** ccxt's `urls.api` tree with every address rewritten by apiUrlMap's rules; other values kept. */
export function overrideApiUrls(urls: unknown, baseUrl: string): unknown {
  const map = new Map(apiUrlMap(urls, baseUrl).map((entry) => [entry.key, entry.to]));
  const rewrite = (value: unknown, path: string[]): unknown => {
    if (typeof value === 'string') return map.get(path.join('.')) ?? value;
    if (Array.isArray(value)) return value.map((v, i) => rewrite(v, [...path, String(i)]));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, [...path, k])]));
    return value;
  };
  return rewrite(urls, []);
}
