// Bundles the editor code (editor/index.ts and what it imports, node specs and core constants
// included) into resources/tradebot-editor.js, the one script every node's .html loads.
// `npm run build` typechecks editor/ first (tsc -p editor); esbuild only strips types.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'editor', 'index.ts')],
  outfile: path.join(root, 'resources', 'tradebot-editor.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  // The browsers Node-RED 4 and 5 support.
  target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
  banner: { js: '/* node-red-contrib-tradebot editor: generated from editor/ by scripts/build-editor.mjs; do not edit. */' },
  // Each node's .html loads the bundle (Node-RED runs it once per node set): small loads faster.
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
