/**
 * tradebot-database (config): a PostgreSQL server for the trade journal (docs/databases.md). An
 * exchange node that selects it writes its journal there instead of the SQLite file. One
 * connection pool per node, shared by those exchange nodes. The user and password are Node-RED
 * credentials. Glue only: core/journal connects, migrates and writes.
 */
import { configNodeError } from '../shared/config-error';
import { parseDatabaseSettings } from '../../core/journal/database-settings';
import { JournalPool } from '../../core/journal/pg-pool';
import type { DatabaseConfigNode } from '../shared/database-config';
import { guardOutputs, holdSecrets } from '../shared/redaction';
import { MIN_SECRET_LENGTH, tooShort } from '../../core/secrets';
import type { NodeAPI, NodeDef } from '../shared/types';

interface DatabaseNodeDef extends NodeDef {
  url: string;
  tls: string;
  ca: string;
  schema: string;
}

export = function register(RED: NodeAPI): void {
  function TradebotDatabaseNode(this: DatabaseConfigNode & { credentials?: { user?: string; password?: string } }, config: DatabaseNodeDef) {
    RED.nodes.createNode(this, config);
    // The password is redacted from every text any node shows, from before anything can fail.
    guardOutputs(this);
    holdSecrets(this, [this.credentials?.password]);
    if (tooShort({ password: this.credentials?.password }).length) this.warn(`database.password: shorter than ${MIN_SECRET_LENGTH} characters, so it cannot be kept out of texts`);
    let pool: JournalPool | undefined;
    try {
      const settings = parseDatabaseSettings({
        url: config.url,
        user: this.credentials?.user,
        password: this.credentials?.password,
        tls: config.tls,
        ca: config.ca,
        schema: config.schema,
      });
      const userDir = (RED.settings as unknown as { userDir?: string }).userDir;
      // What the schema is like, told once (every exchange node's store opens it).
      let told = '';
      const made = (pool = new JournalPool(settings, {
        baseDir: userDir,
        onConnectionLost: (text) => this.warn(text),
        onSchema: (info) => {
          if (info.applied > 0) this.log(`journal schema "${settings.schema}" in ${made.location}: migrated to version ${info.version}`);
          const kind = info.timescale.hypertable
            ? `journal schema "${settings.schema}" in ${made.location}: journal_equity is a TimescaleDB hypertable`
            : `journal schema "${settings.schema}" in ${made.location}: plain tables (${info.timescale.reason})`;
          if (kind !== told) this.log((told = kind));
        },
      }));
      this.journalStore = () => made.store();
    } catch (err) {
      configNodeError(this, err, { log: true });
    }
    this.on('close', (_removed: boolean, done: () => void) => {
      const ending = pool;
      pool = undefined;
      this.journalStore = undefined;
      (ending ? ending.end() : Promise.resolve()).finally(done);
    });
  }
  RED.nodes.registerType('tradebot-database', TradebotDatabaseNode as any, { credentials: { user: { type: 'text' }, password: { type: 'password' } } });
};
