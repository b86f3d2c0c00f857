/**
 * What the package's pages on the admin server share (the backtest report, the performance page):
 * their stylesheet, the access token passed on to what a page loads, and the scripts they load,
 * served by Node-RED itself (nothing from the internet; relative URLs, so any httpAdminRoot works).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NodeAPI } from './types';

let css: string | undefined;

/** The pages' stylesheet (report-page.css), inlined into each page. */
export function pageCss(): string {
  css ??= fs.readFileSync(path.join(__dirname, 'report-page.css'), 'utf8');
  return css;
}

/** The access token the page was opened with (adminAuth on), as a query for what it loads: "" or "?access_token=…". */
export function tokenQuery(req: { query: Record<string, unknown> }): string {
  return typeof req.query.access_token === 'string' ? `?access_token=${encodeURIComponent(req.query.access_token)}` : '';
}

/** lightweight-charts' standalone build, as installed with the package. */
export const lightweightChartsFile = (): string => path.join(path.dirname(require.resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.js');

/**
 * GET `<route>/:file` for the named scripts (file name -> where it is), behind `permission`.
 * Each is read into memory once (not res.sendFile: send refuses paths under a dot directory such as ~/.node-red).
 */
export function serveScripts(RED: NodeAPI, route: string, permission: string, scripts: Record<string, () => string>): void {
  const cache = new Map<string, Buffer>();
  RED.httpAdmin.get(`${route}/:file`, RED.auth.needsPermission(permission), (req, res) => {
    const file = String(req.params.file);
    const where = Object.prototype.hasOwnProperty.call(scripts, file) ? scripts[file] : undefined;
    if (!where) return res.status(404).type('text/plain').send(`no such asset: ${file}`);
    let body = cache.get(file);
    if (!body) {
      try {
        body = fs.readFileSync(where());
      } catch (err) {
        return res.status(404).type('text/plain').send(`${file} is missing (${(err as Error).message}): reinstall node-red-contrib-tradebot with its dependencies`);
      }
      cache.set(file, body);
    }
    res.set('Cache-Control', 'private, max-age=3600');
    res.type('application/javascript').send(body);
  });
}
