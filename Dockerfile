# node-red-contrib-tradebot on the official Node-RED image.
#
#   docker build -t tradebot .
#   docker run -d --name tradebot -p 127.0.0.1:1880:1880 -v tradebot-data:/data tradebot
#
# Or `docker compose up -d` (docker-compose.yml: this image plus Redis).
#
# nodered/node-red is published for linux/amd64 and linux/arm64 (and arm/v7), so the same
# Dockerfile builds on a PC and on a 64-bit Raspberry Pi. Nothing here compiles native code.
# Node 22 in both stages: the package needs Node >= 22.13 (the trading state is kept with Node's
# built-in node:sqlite, in /data/tradebot.sqlite).

# ---- build: TypeScript -> dist/, then the same tarball `npm publish` would upload ----------
# Built on Debian (glibc) with the full dev toolchain of the repo (typescript, node-red for the
# types); only the resulting .tgz goes into the final image, not this stage's node_modules.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: dependency install scripts are not needed to compile (ccxt's postinstall only
# prints a banner; bufferutil would try to build a native addon). npm ci = exactly the lockfile.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm pack --pack-destination /tmp

# ---- runtime: the official Node-RED 5.0 image on Node 22 ------------------------------------
# (The -22 suffix pins Node 22, the Node line this package is tested on; it has node:sqlite.)
FROM nodered/node-red:5.0-22
# /usr/src/node-red is the image's WORKDIR and holds the package.json Node-RED itself is
# installed from. Node-RED also loads nodes from the node_modules next to its own install, so a
# package installed here is part of the image and survives replacing the /data volume.
# --omit=dev: runtime dependencies only (ccxt, ioredis, zod, ...; all pure JavaScript).
# --ignore-scripts: no native modules. The only dependency with a native part is bufferutil
# (optional, via ccxt's ws); without its install script it is not built and ws uses its
# JavaScript fallback, which matters on arm64/musl where no prebuilt binary exists.
COPY --from=build /tmp/node-red-contrib-tradebot-*.tgz /tmp/
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund /tmp/node-red-contrib-tradebot-*.tgz \
    && rm /tmp/node-red-contrib-tradebot-*.tgz \
    && npm cache clean --force

# The default flow (simulated market, no keys, no network) is only a starting point: it is
# copied to /data/<FLOWS> (flows.json) at start when that file does not exist yet, so flows you
# deploy in the editor, kept in the /data volume, are never overwritten.
COPY --chown=node-red:node-red flows/default-flow.json /usr/src/node-red/default-flows.json
ENV FLOWS=flows.json

# The start: scripts/docker-entrypoint.sh (POSIX sh; the image's /bin/sh is busybox) seeds the
# default flow as above, then makes the package above loadable by function nodes: Node-RED lets a
# function node's Setup > Modules load node-red-contrib-tradebot/signal only from a package listed
# in the user dir's package.json and present in /data/node_modules. Unless /data has a copy of the
# package of its own (installed from the palette or with npm: that copy is used, the image's is
# ignored), it adds "node-red-contrib-tradebot": "file:/usr/src/node-red/node_modules/
# node-red-contrib-tradebot" to /data/package.json and links /data/node_modules/
# node-red-contrib-tradebot to that folder; Node-RED loads the package once, through the link, so a
# newer image brings a newer package. Then it runs ./entrypoint.sh, the official image's start
# (node-red/red.js --userDir /data $FLOWS), with exec: docker stop reaches Node-RED as before.
# Run with /bin/sh, so the file needs no execute bit (a Windows checkout may drop it).
COPY --chown=node-red:node-red scripts/docker-entrypoint.sh /usr/src/node-red/tradebot-entrypoint.sh
ENTRYPOINT ["/bin/sh", "/usr/src/node-red/tradebot-entrypoint.sh"]
