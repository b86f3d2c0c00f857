#!/usr/bin/env bash
# The node and integration tests again on Node-RED 4.1 (the package supports Node-RED >= 4.0; the
# main run, `npm test`, is on Node-RED 5 from the dev dependencies). Node-RED 4.1 lands in
# .cache/node-red-4 (git-ignored) and runs on the same Node 22 as the main run.
# Run after `npm test` (it uses the compiled dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.cache/node-red-4
if [ ! -d "$cache/node_modules/node-red" ] || [ "$(node -p "require('./$cache/node_modules/node-red/package.json').version.split('.').slice(0,2).join('.')")" != 4.1 ]; then
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"tradebot-node-red-4","private":true}' > "$cache/package.json"
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "node-red@~4.1"
fi
runtime="$PWD/$cache/node_modules/node-red"
echo "Node $(node --version), Node-RED $(node -p "require('$runtime/package.json').version")"

TRADEBOT_NODE_RED_PATH="$(node -p "require.resolve('$runtime')")" \
  node node_modules/mocha/bin/mocha.js --no-config --timeout 30000 --exit \
  'dist/test/node/**/*.test.js' 'dist/test/integration/exchange-nodes.test.js' 'dist/test/integration/trading-nodes-exchange.test.js'
