/**
 * What the backtest node's Optimise tab asks the runtime about the settings it may vary, on the
 * admin server behind its auth like the editor (permission tradebot-backtest.read):
 *   GET  tradebot/optimise/tunable  every tunable setting per node type, list settings with an
 *                                   index placeholder: {"tradebot-risk-gate": ["stopPct", ...],
 *                                   "tradebot-indicator": ["indicators.<i>.period", ...], ...}
 *   POST tradebot/optimise/tunable  body {type, config}: the settings tunable on that node as the
 *                                   editor holds it (its strategy's own settings, its indicator
 *                                   rows, its numeric rule operands), indexes filled in:
 *                                   {params: ["indicators.0.period", "entryRules.1.right", ...]}
 * The editor asks with the node as it is in the editor (deployed or not), so the list follows what
 * the user just changed; the runtime checks the sweep against the deployed flow again when it runs.
 * Glue only: the lists come from core/optimise/tunable-params.ts.
 */
import { TUNABLE, tunableParams } from '../../core/optimise/tunable-params';
import type { NodeAPI } from '../shared/types';

export function registerOptimiseEditorRoutes(RED: NodeAPI): void {
  const read = RED.auth.needsPermission('tradebot-backtest.read');

  RED.httpAdmin.get('/tradebot/optimise/tunable', read, (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(TUNABLE);
  });

  RED.httpAdmin.post('/tradebot/optimise/tunable', read, (req, res) => {
    const body = (req.body ?? {}) as { type?: unknown; config?: unknown };
    if (typeof body.type !== 'string' || !body.type) return res.status(400).type('text/plain').send('type: must be the node type, e.g. tradebot-strategy');
    if (body.config !== undefined && (typeof body.config !== 'object' || body.config === null || Array.isArray(body.config))) {
      return res.status(400).type('text/plain').send('config: must be the node config as an object');
    }
    if (!Object.prototype.hasOwnProperty.call(TUNABLE, body.type)) return res.json({ params: [] });
    res.set('Cache-Control', 'no-store');
    res.json({ params: tunableParams(body.type, body.config as Record<string, unknown> | undefined) });
  });
}
