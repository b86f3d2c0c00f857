#!/usr/bin/env bash
# The node and integration tests again on Node-RED 4.1 (the previous release line, still widely
# installed), under the same Node 22 as the main run (`npm test`, on the dev dependency Node-RED 5).
# Node-RED 4.1 lands in .cache/node-red-4 (git-ignored). Run after `npm test` (it uses the compiled dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

# The package needs Node >= 22.13: use the Node 22 that `npm test` / .ci/run fetched when the one on
# PATH is older.
node22=.cache/node22/node_modules/node/bin
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ] && [ -x "$node22/node" ]; then
  export PATH="$PWD/$node22:$PATH"
fi

cache=.cache/node-red-4
if [ ! -d "$cache/node_modules/node-red" ]; then
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"tradebot-node-red-4","private":true}' > "$cache/package.json"
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "node-red@~4.1"
fi
runtime="$PWD/$cache/node_modules/node-red"
echo "Node $(node --version), Node-RED $(node -p "require('$runtime/package.json').version")"

TRADEBOT_NODE_RED_PATH="$(node -p "require.resolve('$runtime')")" \
  node node_modules/mocha/bin/mocha.js --no-config --timeout 30000 --exit \
  'dist/test/node/**/*.test.js' 'dist/test/integration/exchange-nodes.test.js' 'dist/test/integration/trading-nodes-exchange.test.js'
