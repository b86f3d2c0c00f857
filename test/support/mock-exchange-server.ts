/**
 * The scaffolding the wire-format mock exchanges (mock-kraken.ts, mock-bitfinex.ts, mock-luno.ts)
 * share: one HTTP server on a free port of 127.0.0.1 that also takes the websocket upgrades, the
 * websocket clients, the fault queue and how a fault is applied, the request log, the clock, and
 * the MockExchange members that only delegate to the trading engine. Each mock fills in the hooks:
 * what a REST request is and its answer (onRequest), which websocket paths exist and how a
 * connection talks (acceptsWebSocket, onWsConnection). Wire formats stay in the mocks.
 * upsertCandle and moveTicker are the market-data bookkeeping they share.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MockCall, MockExchangeFault, MockExchangeOrder, MockExchangeStats } from './mock-exchange';

/** What every trading engine behind a mock offers the shared suite. */
export interface MockTradingEngine {
  balances(apiKey: string): Record<string, { free: number; locked: number }>;
  orders(apiKey?: string): MockExchangeOrder[];
  stats(apiKey?: string): MockExchangeStats;
}

/** A websocket client's state; silenceWebSockets() sets `silent` (open, answering pings, no data). */
export interface MockWsClient {
  silent: boolean;
}

export abstract class MockExchangeServer<Client extends MockWsClient, Request extends { path: string }> {
  /** Every REST request received, in arrival order (faulted and unknown ones included). */
  readonly requests: Request[] = [];

  protected readonly clients = new Map<WebSocket, Client>();
  protected abstract readonly trading: MockTradingEngine;
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  private baseUrl: string | undefined;
  private readonly sockets = new Set<Duplex>();
  private readonly hanging = new Set<http.ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly faults: Array<{ call: MockCall; remaining: number; fault: MockExchangeFault }> = [];
  private rejectingWs = false;
  private fixedNow: number | undefined;
  private readonly waiters = new Set<{ matches: () => boolean; what: string; resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();

  /** @param name  'mock-kraken': the prefix of this mock's error messages */
  protected constructor(protected readonly name: string) {}

  /** Answers one REST request (record it in `requests`, take its fault, apply it with respond()). */
  protected abstract onRequest(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Whether a websocket upgrade to `path` is served (else it is refused with 404). */
  protected abstract acceptsWebSocket(path: string): boolean;
  /** A websocket at `path` connected: listen to its messages, greet it, return its state. */
  protected abstract onWsConnection(ws: WebSocket, path: string): Client;

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<string> {
    if (this.server && this.baseUrl) return this.baseUrl;
    const server = http.createServer((req, res) => this.onRequest(req, res));
    // noServer + our own 'upgrade' handler: same port, and upgrades can be refused (rejectWebSockets).
    const wss = new WebSocketServer({ noServer: true });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error(`${this.name}: no TCP address`);
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(`${this.name} stopped while waiting for ${w.what}`));
    }
    this.waiters.clear();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
    const { server, wss } = this;
    this.server = undefined;
    this.wss = undefined;
    this.baseUrl = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (server) {
      const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy(); // upgraded sockets are not tracked by closeAllConnections
      this.sockets.clear();
      await closed;
    }
  }

  get url(): string {
    if (!this.baseUrl) throw new Error(`${this.name}: call start() first`);
    return this.baseUrl;
  }

  /** The exchange clock: ticker, book and event timestamps, order and trade times, which candles exist yet. */
  now(): number {
    return this.fixedNow ?? Date.now();
  }

  /** Freezes the exchange clock at `ms`; undefined: wall-clock time again. */
  setNow(ms: number | undefined): void {
    this.fixedNow = ms;
  }

  // ---------------------------------------------------------------- accounts (the trading engine's)

  balances(apiKey: string): Record<string, { free: number; locked: number }> {
    return this.trading.balances(apiKey);
  }

  orders(apiKey?: string): MockExchangeOrder[] {
    return this.trading.orders(apiKey);
  }

  stats(apiKey?: string): MockExchangeStats {
    return this.trading.stats(apiKey);
  }

  // ---------------------------------------------------------------- faults and observation

  failNext(call: MockCall, n: number, fault: MockExchangeFault): void {
    if (n > 0) this.faults.push({ call, remaining: n, fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  rejectWebSockets(on: boolean): void {
    this.rejectingWs = on;
  }

  silenceWebSockets(): void {
    for (const c of this.clients.values()) c.silent = true;
  }

  /** Terminates every websocket (no close frame: clients see 1006). */
  dropWebSockets(): void {
    for (const ws of this.clients.keys()) ws.terminate();
    this.clients.clear();
  }

  wsConnectionCount(): number {
    return this.clients.size;
  }

  requestCount(pathPrefix?: string): number {
    return pathPrefix === undefined ? this.requests.length : this.requests.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  // ---------------------------------------------------------------- for the mocks: waiting

  /**
   * Resolves once `matches()` holds: now, or at a notifyWaiters() (the mock calls it when a
   * subscription, an authentication or a setting arrives). Rejects after `timeoutMs` (the message
   * ends with `detail()`), or when stop() comes first.
   */
  protected waitFor(matches: () => boolean, what: string, timeoutMs: number, detail?: () => string): Promise<void> {
    if (matches()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w = {
        matches,
        what,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms${detail ? ` ${detail()}` : ''}`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  protected notifyWaiters(): void {
    for (const w of [...this.waiters]) {
      if (!w.matches()) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve();
    }
  }

  // ---------------------------------------------------------------- for the mocks: REST

  /** The first queued fault for any of `calls` (a request of several classes), counted down. */
  protected takeFault(calls: MockCall[]): MockExchangeFault | undefined {
    const i = this.faults.findIndex((f) => calls.includes(f.call));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (--f.remaining <= 0) this.faults.splice(i, 1);
    return f.fault;
  }

  /**
   * Answers a request as `fault` says: `process` does the work (late: a late execution, after its
   * answer went out) and returns the answer, which `send` writes. `empty` answers an emptyAnswer
   * fault; without it such a fault is left to `process` (which looks at it itself).
   */
  protected respond<A>(
    fault: MockExchangeFault | undefined,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    process: (late: boolean) => A,
    send: (answer: A) => void,
    empty?: () => void,
  ): void {
    if (fault === undefined) return send(process(false));
    if (fault === 'timeout') return this.hang(res);
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'acceptedThenLost' || fault === 'acceptedThenTimeout') {
      process(false); // processed in full, and the answer is lost
      return fault === 'acceptedThenTimeout' ? this.hang(res) : void req.socket.destroy();
    }
    if ('status' in fault) return this.gatewayError(res, fault.status);
    if ('emptyAnswer' in fault) return empty ? empty() : send(process(false));
    // Answered now without processing; processed later after all (a backlog in the engine).
    this.later(fault.lateExecutionMs, () => process(true));
    if (fault.answer === 'timeout') this.hang(res);
    else this.gatewayError(res, 503);
  }

  /** Never answered; stop() destroys it. Forget it early if the client gives up. */
  protected hang(res: http.ServerResponse): void {
    this.hanging.add(res);
    res.on('close', () => this.hanging.delete(res));
  }

  /** A gateway error page (HTML, no exchange error body): ccxt maps the status (ExchangeNotAvailable). */
  protected gatewayError(res: http.ServerResponse, status: number): void {
    const text = this.gatewayPage(status);
    res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** The exchanges' edge (Cloudflare) answers gateway errors with a page like this. */
  protected gatewayPage(status: number): string {
    const reason = http.STATUS_CODES[status] ?? 'Error';
    return `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>cloudflare</center></body></html>`;
  }

  /** Runs `fn` in `ms` unless stop() comes first. */
  protected later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** The request body, as text, once it has all arrived. */
  protected readBody(req: http.IncomingMessage, then: (body: string) => void): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => then(Buffer.concat(chunks).toString('utf8')));
  }

  // ---------------------------------------------------------------- websocket

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const wss = this.wss;
    if (this.rejectingWs || !wss || !this.acceptsWebSocket(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      this.clients.set(ws, this.onWsConnection(ws, path));
      ws.on('close', () => this.clients.delete(ws));
      ws.on('error', () => {
        /* a reset client socket; 'close' follows */
      });
    });
  }
}

/** Puts `candle` into an ascending series: replaces the row with its open time, or inserts it in order. */
export function upsertCandle(series: number[][], candle: number[]): void {
  const i = series.findIndex((r) => r[0] === candle[0]);
  if (i >= 0) series[i] = candle;
  else {
    series.push(candle);
    series.sort((x, y) => x[0]! - y[0]!);
  }
}

/** A new bid/ask/last (and volume when given); the day's high and low follow the last price. */
export function moveTicker(tk: { bid: number; ask: number; last: number; volume: number; high: number; low: number }, t: { bid: number; ask: number; last: number; volume?: number }): void {
  Object.assign(tk, { bid: t.bid, ask: t.ask, last: t.last });
  if (t.volume !== undefined) tk.volume = t.volume;
  tk.high = Math.max(tk.high, t.last);
  tk.low = Math.min(tk.low, t.last);
}
