// node-red-contrib-tradebot/signal: what a function node loads through Setup > Modules to make
// signals of its own (makeSignal, checkSignal) and to turn webhook alerts into signals
// (alertToSignal). docs/strategy-code.md documents it. A plain file at the package root (no
// package.json "exports"): Node-RED requires it by its path in the user dir's node_modules.
'use strict';
module.exports = {
  ...require('./dist/core/strategies/function-signal.js'),
  ...require('./dist/core/strategies/webhook-alert.js'),
};
