#!/usr/bin/env node
// Writes data/sim-BTC_USDT-1m.json: the last 3 days (4,319 closed 1-minute candles) of BTC/USDT from the simulated
// market (seed 42), the history the backtest example replays. Ours to ship; run after `npm run build`.
const fs = require('fs');
const path = require('path');
const { SimMarket } = require('../dist/core/sim/sim-market');

const start = Date.UTC(2026, 0, 1);
const market = new SimMarket({ seed: 42, startTime: start, tickMs: 1000 });
market.advanceTo(start + 5 * 86_400_000);
const rows = market.history('BTC/USDT', '1m', 7200).map((r) => r.map((x) => +x.toPrecision(10)));
const out = path.join(__dirname, '..', 'data', 'sim-BTC_USDT-1m.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, '[\n' + rows.map((r) => JSON.stringify(r)).join(',\n') + '\n]\n');
console.log(`${rows.length} candles -> ${out}`);
