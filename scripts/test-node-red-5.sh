#!/usr/bin/env bash
# The node and integration tests again on Node-RED 5, which needs Node >= 22.9.
# npm's node-linux-<arch> package brings a Node 22 binary; both land in .cache/ (git-ignored).
# Run after `npm test` (it uses the compiled dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.cache/node-red-5
arch=$(node -p process.arch)
if [ ! -x "$cache/node_modules/node-linux-$arch/bin/node" ] || [ ! -d "$cache/node_modules/node-red" ]; then
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"tradebot-node-red-5","private":true}' > "$cache/package.json"
  npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "node-linux-$arch@22" "node-red@5"
fi
node22="$PWD/$cache/node_modules/node-linux-$arch/bin/node"
runtime="$PWD/$cache/node_modules/node-red"
echo "Node $("$node22" --version), Node-RED $("$node22" -p "require('$runtime/package.json').version")"

TRADEBOT_NODE_RED_PATH="$("$node22" -p "require.resolve('$runtime')")" \
  "$node22" node_modules/mocha/bin/mocha.js --no-config --timeout 30000 --exit \
  'dist/test/node/**/*.test.js' 'dist/test/integration/exchange-nodes.test.js' 'dist/test/integration/trading-nodes-exchange.test.js'
