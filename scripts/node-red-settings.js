// Node-RED settings for `npm start`: local only, project-local user dir, the default flow.
// Everything not set here is Node-RED's default. See https://nodered.org/docs/user-guide/runtime/configuration
module.exports = {
  uiHost: process.env.HOST || '127.0.0.1',
  uiPort: Number(process.env.PORT) || 1880,
  flowFile: 'flows.json',
  flowFilePretty: true,
  // The dev user dir is on this machine only; a real install should set its own secret (docs/security.md).
  credentialSecret: process.env.NODE_RED_CREDENTIAL_SECRET || 'tradebot-local-development',
  // Context (function nodes' flow and global context, dashboards) kept in files across restarts.
  // The trading state does not depend on it: the exchange nodes keep the portfolio, open orders and
  // risk state in <userDir>/tradebot.sqlite, fsync'd on every write (docs/state.md: State that survives a
  // restart); `tradebotStateFile: '/path/to/file.sqlite'` here would put that file elsewhere.
  contextStorage: { default: { module: 'localfilesystem', config: { flushInterval: 1 } } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  externalModules: { palette: { allowInstall: true } },
  editorTheme: {
    projects: { enabled: false },
    tours: false,
    page: { title: 'Node-RED · tradebot' },
  },
  logging: { console: { level: process.env.LOG_LEVEL || 'info', metrics: false, audit: false } },
};
