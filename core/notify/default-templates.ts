/**
 * The notifier's default text per kind (Mustache, rendered by templates.ts). No Mustache import
 * here: the editor bundle shows them too (placeholders, "use default").
 */
import type { NotifyKind } from './kinds';

export const DEFAULT_TEMPLATES: Record<NotifyKind, string> = {
  signal: '{{icon}} {{#b}}{{payload.side}} signal{{/b}} {{payload.symbol}} @ {{n.price}}\n{{payload.strategy}}, strength {{n.strength}}\n{{#i}}{{payload.reason}}{{/i}}',
  order:
    '{{icon}} {{#b}}order {{payload.status}}{{/b}}: {{payload.side}} {{n.filled}}/{{n.amount}} {{payload.symbol}}{{#payload.average}} @ {{n.average}}{{/payload.average}} ({{payload.mode}})\nfee {{n.feeCost}} {{payload.fee.currency}}{{#payload.reason}}\n{{#i}}{{payload.reason}}{{/i}}{{/payload.reason}}',
  rejection: '⛔ {{#b}}rejected{{/b}} {{payload.side}} {{payload.symbol}}: {{payload.code}}\n{{#i}}{{payload.reason}}{{/i}}',
  breaker: '🚨 {{#b}}{{#payload.code}}drawdown breaker tripped{{/payload.code}}{{^payload.code}}breaker tripped{{/payload.code}}{{/b}}{{#payload.symbol}} {{payload.symbol}}{{/payload.symbol}}\n{{payload.reason}}\nNo new entries until the risk gate gets a "reset".',
  error: '❗ {{#b}}error{{/b}} in {{error.source.type}} {{error.source.name}}\n{{#code}}{{error.message}}{{/code}}',
  summary:
    '📊 {{#b}}portfolio{{/b}} ({{payload.exchange}}, {{payload.mode}})\nequity {{n.equity}} {{payload.currency}}\nP&L today {{n.realizedToday}}, realized {{n.realizedPnl}}, unrealized {{n.unrealizedPnl}}\nfees {{n.fees}}, open positions {{positionCount}}, open orders {{payload.openOrders}}',
  lifecycle: '{{#event.start}}▶️ {{#b}}trading started{{/b}}{{/event.start}}{{#event.stop}}⏹ {{#b}}trading stopped{{/b}}{{/event.stop}} ({{payload.exchange}}{{#payload.mode}}, {{payload.mode}}{{/payload.mode}})\n{{payload.reason}}',
  kill: '{{#event.kill}}⏸ {{#b}}kill switch on{{/b}}: no new entries{{/event.kill}}{{#event.resume}}▶️ {{#b}}resumed{{/b}}: entries allowed again{{/event.resume}} ({{payload.exchange}})\n{{payload.reason}}',
  forceExit: '🏳️ {{#b}}force exit{{/b}} {{#payload.symbol}}{{payload.symbol}}{{/payload.symbol}}{{^payload.symbol}}all positions{{/payload.symbol}} ({{payload.exchange}})\n{{payload.reason}}',
  drift: '⚖️ {{#b}}drift from the exchange adopted{{/b}} ({{payload.exchange}})\n{{#payload.balances}}{{currency}}: {{was}} -> {{now}} ({{signedDelta}})\n{{/payload.balances}}{{#payload.unknownToBot}}order unknown to the bot: {{side}} {{amount}} {{symbol}}{{#price}} @ {{price}}{{/price}} ({{clientOrderId}})\n{{/payload.unknownToBot}}{{#payload.missingAtExchange}}order missing at the exchange: {{side}} {{amount}} {{symbol}} ({{clientOrderId}})\n{{/payload.missingAtExchange}}',
  other: '{{text}}',
};
