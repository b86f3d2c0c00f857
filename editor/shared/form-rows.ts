/**
 * Form rows several dialogs share, written once. A node's form (the `data-template-name` script in
 * its .html) holds `<div class="form-row" data-tradebot-row="exchange"></div>` where the row goes;
 * the bundle puts the row in before the editor first builds the dialog. Pure string work (no DOM),
 * so tests can expand a form the same way.
 */

function row(prop: string, icon: string, label: string, input: string, config = false): string {
  const id = `node-${config ? 'config-' : ''}input-${prop}`;
  return `<div class="form-row">\n    <label for="${id}"><i class="fa fa-${icon}"></i> ${label}</label>\n    ${input.replace('$ID', id)}\n  </div>`;
}

export const FORM_ROWS: Record<string, string> = {
  name: row('name', 'tag', 'Name', '<input type="text" id="$ID" placeholder="Name" />'),
  'config-name': row('name', 'tag', 'Name', '<input type="text" id="$ID" placeholder="Name" />', true),
  exchange: row('exchange', 'university', 'Exchange', '<input type="text" id="$ID" />'),
  redis: row('redis', 'database', 'Redis', '<input type="text" id="$ID" />'),
  symbols: row('symbols', 'tags', 'Symbols', '<input type="text" id="$ID" placeholder="BTC/USDT, ETH/USDT" />'),
  'stream-key': row('key', 'random', 'Stream', '<input type="text" id="$ID" placeholder="tradebot:candles" />'),
  websocket: row(
    'websocket',
    'bolt',
    'Websocket',
    '<input type="checkbox" id="$ID" style="width: auto; vertical-align: top" />\n    <span>stream where the exchange has it, else poll</span>',
  ),
  'poll-every': row('interval', 'clock-o', 'Poll every', '<input type="number" id="$ID" min="100" step="100" style="width: 100px" /> ms'),
};

const PLACEHOLDER = /<div class="form-row" data-tradebot-row="([\w-]+)"><\/div>/g;

/** A form with its shared-row placeholders replaced by the rows. */
export function expandFormRows(html: string): string {
  return html.replace(PLACEHOLDER, (whole, key: string) => FORM_ROWS[key] ?? whole);
}
