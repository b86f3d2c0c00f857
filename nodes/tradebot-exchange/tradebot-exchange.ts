/**
 * tradebot-exchange: the config node that owns one exchange connection (or the simulator),
 * shared by every tradebot node that selects it. Glue only: settings go to ExchangeSession.
 */
import { configNodeError } from '../shared/config-error';
import { ConfigError } from '../../core/errors';
import { ExchangeSession } from '../../core/session/exchange-session';
import type { Logger } from '../../core/logger';
import { registry as metricsRegistry } from '../../core/metrics';
import { sessions } from '../../core/sessions';
import { journalEnabled } from '../../core/exchange-settings';
import { parseExchangeSettings } from '../../core/session/mode-settings';
import { journalMaxBytes, resolveJournalFile } from '../../core/journal/journal-file';
import { SqliteJournalStore } from '../../core/journal/sqlite-journal-store';
import type { JournalStore } from '../../core/journal/types';
import type { DatabaseConfigNode } from '../shared/database-config';
import { apiUrlMap, hasWebsocketClass, listExchangeIds, loadExchangeClass } from '../../core/market/ccxt-loader';
import { exchangeProfile } from '../../core/exchanges/profile';
import type { ExchangeConfigNode, NodeAPI, NodeDef } from '../shared/types';
import os from 'node:os';
import { RedisOrderClaims } from '../../core/redis/redis-order-claims';
import { RedisStateStore } from '../../core/redis/redis-state-store';
import { NodeContextStore } from '../shared/context-store';
import { SqliteStateStore } from '../../core/storage/sqlite-state-store';
import { resolveStateFile } from '../../core/storage/state-file';
import { UpgradingStore } from '../../core/storage/upgrade-store';
import type { RedisConfigNode } from '../shared/redis-config';
import { guardOutputs, holdSecrets } from '../shared/redaction';
import { MIN_SECRET_LENGTH, tooShort } from '../../core/secrets';
import { settingsFromEditor, type ExchangeConfig, type ExchangeCredentials } from './spec';

type ExchangeNodeDef = NodeDef & ExchangeConfig;
import { registerPerformanceRoutes } from './performance-routes';

export = function register(RED: NodeAPI): void {
  function TradebotExchangeNode(this: ExchangeConfigNode & { credentials?: ExchangeCredentials }, config: ExchangeNodeDef) {
    RED.nodes.createNode(this, config);
    // Its credentials are redacted from every text any node shows, from before anything can fail.
    guardOutputs(this);
    holdSecrets(this, Object.values(this.credentials ?? {}));
    const short = tooShort({ ...(this.credentials ?? {}) });
    if (short.length) this.warn(`credentials ${short.join(', ')}: shorter than ${MIN_SECRET_LENGTH} characters, so they cannot be kept out of texts`);
    let database: SqliteStateStore | undefined;
    /**
     * The journal's store: an SQLite file this node opened, or a store on a database node's pool
     * (closing it ends no connection: it tells the database node this node's last writes are done).
     */
    let journalFile: JournalStore | undefined;
    let created: ExchangeSession | undefined;
    try {
      // Portfolio, orders and risk state persist in Redis when a Redis node is selected, else in the
      // tradebot database file (fsync'd on every write, whatever the context settings).
      const redisNode = config.redis ? (RED.nodes.getNode(config.redis) as RedisConfigNode | null) : null;
      if (config.redis && !redisNode?.hub) throw new ConfigError(`exchange.redis: ${redisNode?.configError ?? 'the selected Redis node is missing or invalid'}`, 'exchange.redis');
      // The core writes what it handles by itself (a price feed down, a save retried) to this node's
      // log, which redacts every credential (guardOutputs above); the session redacts its own too.
      const logger: Logger = { debug: (text) => this.debug(text), info: (text) => this.log(text), warn: (text) => this.warn(text), error: (text) => this.error(text) };
      const session = (created = new ExchangeSession(parseExchangeSettings(settingsFromEditor(config, this.credentials)), this.id, { logger }));
      const settings = RED.settings as unknown as { userDir?: string; tradebotStateFile?: unknown; tradebotJournalFile?: unknown; tradebotJournalMaxMB?: unknown };
      if (redisNode?.hub) {
        // Instances sharing one Redis (and one exchange account) claim each order id there. Each
        // needs its own state document: set TRADEBOT_INSTANCE to a distinct name per instance.
        const named = process.env.TRADEBOT_INSTANCE;
        const claimant = named || os.hostname();
        session.setStateStore(new RedisStateStore(redisNode.hub.client()), new RedisOrderClaims(redisNode.hub.client(), claimant), named);
      } else if (session.mode !== 'backtest') {
        // (A backtest keeps its risk state in memory: every run starts clean and opens no file.)
        database = new SqliteStateStore(resolveStateFile({ setting: settings.tradebotStateFile, env: process.env.TRADEBOT_STATE_FILE, userDir: settings.userDir }));
        // Opened now: a file that cannot be used stops the deploy with its reason, not the first order.
        this.log(`trading state in ${database.open().file}`);
        // Older versions kept this state in the node's context ("State store"): taken over once.
        const old = new NodeContextStore(this.context() as any, config.stateStore || undefined);
        session.setStateStore(new UpgradingStore(database, old, (key) => this.log(`state ${key} taken over from Node-RED context into ${database!.location}`)));
      }
      // After the state store: the journal's rows are keyed like the account (instance, node, mode).
      if (journalEnabled(session.settings)) {
        // The trade journal: in the PostgreSQL of a database node when one is selected, else in its own SQLite file.
        if (config.database) {
          const dbNode = RED.nodes.getNode(config.database) as DatabaseConfigNode | null;
          if (!dbNode?.journalStore) throw new ConfigError(`exchange.database: ${dbNode?.configError ?? 'the selected database node is missing or invalid'}`, 'exchange.database');
          journalFile = dbNode.journalStore();
        } else {
          const stateFile = resolveStateFile({ setting: settings.tradebotStateFile, env: process.env.TRADEBOT_STATE_FILE, userDir: settings.userDir });
          const file = resolveJournalFile({ setting: settings.tradebotJournalFile, env: process.env.TRADEBOT_JOURNAL_FILE, userDir: settings.userDir, stateFile });
          journalFile = new SqliteJournalStore({ file, maxBytes: journalMaxBytes(settings.tradebotJournalMaxMB) });
        }
        const store = journalFile;
        const journal = session.openJournal(store, (status) => (status.level === 'ok' ? this.log(status.text) : this.warn(status.text)));
        // Said once it is open (a PostgreSQL store opens over the network).
        void journal.ready().then(() => {
          if (journal.health().state === 'ok') this.log(`trade journal in ${store.location}`);
        });
      }
      // With Redis, markets and closed candles are cached there and REST calls share one rate budget per account.
      session.useRedis(redisNode?.hub, (text) => this.warn(text));
      // Relative backtest data paths start at the Node-RED user directory.
      session.dataDir = (RED.settings as unknown as { userDir?: string }).userDir ?? process.cwd();
      this.session = session;
      this.redisHub = redisNode?.hub;
    } catch (err) {
      if (created && !this.session) void created.close().catch((e) => this.warn(`closing after the configuration error: ${(e as Error).message}`));
      database?.close();
      database = undefined;
      void journalFile?.close().catch((e) => this.warn(`closing the journal after the configuration error: ${(e as Error).message}`));
      journalFile = undefined;
      configNodeError(this, err, { log: true });
    }
    this.on('close', (_removed: boolean, done: () => void) => {
      const session = this.session;
      this.session = undefined;
      (session ? session.close() : Promise.resolve())
        .catch((e) => this.warn(`closing: ${(e as Error).message}`))
        // After the session's last writes (the account's pending save, the simulator's clock).
        .finally(async () => {
          database?.close();
          await journalFile?.close().catch((e) => this.warn(`closing the journal: ${(e as Error).message}`));
          done();
        });
    });
  }

  RED.nodes.registerType('tradebot-exchange', TradebotExchangeNode as any, {
    credentials: {
      apiKey: { type: 'password' },
      secret: { type: 'password' },
      password: { type: 'password' },
    },
  });

  // Health and metrics sit on Node-RED's admin server, behind adminAuth like the editor itself
  // (the node server, httpNode, serves the flows' own endpoints to anyone who can reach it).
  RED.httpAdmin.get('/tradebot/health', RED.auth.needsPermission('tradebot.read'), (_req, res) => {
    const exchanges = [...sessions].map((s) => s.health());
    const healthy = exchanges.every((e) => e.connected && !e.breakerTripped);
    res.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', exchanges });
  });
  RED.httpAdmin.get('/tradebot/metrics', RED.auth.needsPermission('tradebot.read'), (_req, res) => {
    metricsRegistry
      .metrics()
      .then((text) => res.set('Content-Type', metricsRegistry.contentType).send(text))
      .catch((err: Error) => res.status(500).send(err.message));
  });

  // The performance page of each exchange node: tradebot/performance/<id> (and .json, /trades.csv).
  registerPerformanceRoutes(RED);

  // What an exchange can do, for the dialog: its capability profile, and where the API URL sends each address.
  RED.httpAdmin.get('/tradebot/exchange-profile', RED.auth.needsPermission('tradebot-exchange.read'), (req, res) => {
    const query = req.query as Record<string, unknown>;
    const id = String(query.id ?? '');
    const websocket = String(query.websocket ?? 'auto');
    const baseUrl = String(query.baseUrl ?? '');
    loadExchangeClass(id)
      .then((ExchangeClass) => {
        const ex = new ExchangeClass({ options: { defaultType: 'spot' } });
        const urls = /^https?:\/\/[^\s/]+(\/\S*)?$/.test(baseUrl) ? apiUrlMap(ex.urls?.api, baseUrl) : [];
        res.json({ profile: exchangeProfile(ex, websocket !== 'off'), urls });
      })
      .catch((err: Error) => res.status(400).json({ error: err.message }));
  });

  // The editor's searchable exchange list. Read from ccxt's index file, so it costs no memory.
  RED.httpAdmin.get('/tradebot/exchanges', RED.auth.needsPermission('tradebot-exchange.read'), (_req, res) => {
    try {
      res.json(listExchangeIds().map((id) => ({ id, websocket: hasWebsocketClass(id) })));
    } catch (err) {
      res.status(500).json({ error: (err as Error).message });
    }
  });
};
