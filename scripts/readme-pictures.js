// The README's pictures of a running flow: docs/images/default-flow-deployed.png (the default flow
// of `npm start`) and docs/images/example-08-deployed.png (example 08). Each flow is deployed alone
// in a real Node-RED (the dev dependency, or TRADEBOT_NODE_RED_PATH) on the simulated market, the
// editor is opened on its tab in Debian's chromium, and the screen is taken once the statuses and
// the debug sidebar have filled. The other pictures come from the browser tests
// (test/e2e/editor.test.ts: editor-pipeline, editor-classic-bot in test-output/screenshots;
// test/e2e/editor-first-hour.test.ts writes editor-invalid-value.png).
// Run after a build: npm run build && node scripts/readme-pictures.js
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { NodeRedProcess, makeUserDir, removeUserDir } = require(path.join(root, 'dist/test/support/node-red-process'));
const { launchBrowser } = require(path.join(root, 'dist/test/support/browser'));

const PICTURES = [
  { file: 'docs/images/default-flow-deployed.png', flow: 'flows/default-flow.json', waitMs: 25_000 },
  { file: 'docs/images/example-08-deployed.png', flow: 'examples/08 Trading pipeline.json', waitMs: 12_000 },
];

async function take({ file, flow, waitMs }) {
  const nodes = JSON.parse(fs.readFileSync(path.join(root, flow), 'utf8'));
  const userDir = makeUserDir('tradebot-pictures-');
  const red = await NodeRedProcess.start({ userDir, flow: nodes, startTimeoutMs: 60_000 });
  const browser = await launchBrowser();
  try {
    // Wide enough for the whole flow beside Node-RED 5's explorer, palette and sidebar.
    const page = await browser.newPage({ viewport: { width: 1920, height: 1000 } });
    await page.goto(`${red.base}/#flow/${nodes.find((n) => n.type === 'tab').id}`);
    await page.waitForFunction(() => globalThis.RED?.nodes && document.querySelectorAll('.red-ui-palette-node').length > 10, null, { timeout: 60_000 });
    await new Promise((r) => setTimeout(r, waitMs));
    await page.screenshot({ path: path.join(root, file) });
    console.log(`${file}: ${flow} on Node-RED ${/Node-RED version: v?(\S+)/.exec(red.log)?.[1] ?? '?'}`);
  } finally {
    await browser.close();
    await red.stop();
    removeUserDir(userDir);
  }
}

(async () => {
  for (const p of PICTURES) await take(p);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
