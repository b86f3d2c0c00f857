#!/bin/sh
# Start of the Docker image (Dockerfile ENTRYPOINT): prepares the user dir, then starts Node-RED
# exactly as the official nodered/node-red image does (its ./entrypoint.sh).
#
# 1. The default flow (simulated market) becomes <data>/$FLOWS when that file does not exist yet,
#    so flows deployed in the editor are never overwritten.
# 2. The package installed in the image (beside Node-RED) is made loadable by function nodes:
#    Node-RED lets Setup > Modules load `node-red-contrib-tradebot/signal` only from a package
#    listed in <data>/package.json "dependencies" and present in <data>/node_modules. So, unless
#    the user dir already has a copy of its own (listed in package.json, or installed there),
#    package.json gets `"node-red-contrib-tradebot": "file:<image copy>"` (npm keeps such an entry
#    as a link when the palette manager installs other nodes into <data>) and
#    <data>/node_modules/node-red-contrib-tradebot becomes a link to the image copy. Node-RED then
#    finds the package twice (user dir and its own node_modules) and loads it once, the user dir's.
#    Nothing here stops the start: when the user dir cannot be written, a note is printed and
#    Node-RED starts as before (function nodes then cannot load the module).
# 3. exec: Node-RED ends up as this process, so `docker stop` reaches it as before.
#
# POSIX sh (the image's /bin/sh is busybox ash). The paths default to the image's; the variables
# let the same script run outside Docker (test/e2e/docker-entrypoint.test.ts).
set -u

PKG=node-red-contrib-tradebot
NODE_RED_DIR=${TRADEBOT_NODE_RED_DIR:-/usr/src/node-red}
DATA_DIR=${TRADEBOT_DATA_DIR:-/data}
DEFAULT_FLOW=${TRADEBOT_DEFAULT_FLOW:-$NODE_RED_DIR/default-flows.json}
IMAGE_COPY=$NODE_RED_DIR/node_modules/$PKG

note() { echo "tradebot: $*" >&2; }

# 1. The default flow, first start only.
FLOW_FILE=$DATA_DIR/${FLOWS:-flows.json}
if [ ! -e "$FLOW_FILE" ]; then
  cp "$DEFAULT_FLOW" "$FLOW_FILE" || note "could not copy the default flow to $FLOW_FILE"
fi

# 2. The image's package in the user dir's package.json (edited with node: JSON, not text).
# Prints what it did: "listed" (entry added), "ours" (already there), "own" (the user's own copy).
listing=$(TRADEBOT_PKG=$PKG TRADEBOT_SPEC="file:$IMAGE_COPY" TRADEBOT_PACKAGE_JSON="$DATA_DIR/package.json" \
  TRADEBOT_LINK="$DATA_DIR/node_modules/$PKG" node -e '(() => {
const fs = require("fs");
const { TRADEBOT_PKG: pkg, TRADEBOT_SPEC: spec, TRADEBOT_PACKAGE_JSON: file, TRADEBOT_LINK: link } = process.env;
let json;
try {
  json = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (err) {
  if (err.code !== "ENOENT") {
    console.error(`tradebot: ${file} is not readable JSON (${err.message}); left as it is`);
    process.exit(1);
  }
  // What Node-RED writes into a new user dir.
  json = { name: "node-red-project", description: "A Node-RED Project", version: "0.0.1", private: true };
}
const listed = json.dependencies && json.dependencies[pkg];
if (listed === spec) return console.log("ours");
if (listed) return console.log("own");
// Installed into the user dir without being listed (npm install --no-save): also a copy of the user.
let installed = null;
try {
  installed = fs.realpathSync(link);
} catch {}
if (installed && installed !== fs.realpathSync(spec.slice("file:".length))) return console.log("own");
// Sorted, as npm keeps them.
const dependencies = { ...json.dependencies, [pkg]: spec };
json.dependencies = Object.fromEntries(Object.keys(dependencies).sort().map((k) => [k, dependencies[k]]));
fs.writeFileSync(file + ".tradebot-tmp", JSON.stringify(json, null, 4) + "\n");
fs.renameSync(file + ".tradebot-tmp", file);
console.log("listed");
})()') || { note "could not add $PKG to $DATA_DIR/package.json: function nodes cannot load $PKG/signal"; listing=failed; }

# The link, when the entry is ours and the link is missing (or left dangling).
LINK=$DATA_DIR/node_modules/$PKG
if { [ "$listing" = listed ] || [ "$listing" = ours ]; } && [ ! -e "$LINK" ]; then
  { mkdir -p "$DATA_DIR/node_modules" && rm -f "$LINK" && ln -s "$IMAGE_COPY" "$LINK"; } ||
    note "could not link $LINK to $IMAGE_COPY: function nodes cannot load $PKG/signal"
fi
[ "$listing" = listed ] && [ -e "$LINK" ] && note "$PKG of the image listed in $DATA_DIR/package.json and linked into $DATA_DIR/node_modules (function nodes can load $PKG/signal)"
[ "$listing" = own ] && note "$PKG installed in $DATA_DIR is used, not the image's"

# 3. The official image's start (node node_modules/node-red/red.js --userDir /data $FLOWS "$@").
cd "$NODE_RED_DIR" || exit 1
exec ./entrypoint.sh "$@"
