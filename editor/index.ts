/**
 * The tradebot nodes' editor code, bundled by scripts/build-editor.mjs into
 * resources/tradebot-editor.js. Node-RED serves a module's resources/ folder at
 * resources/<module>/…; each node's .html loads the bundle with a script tag, then registers its
 * type with one call: `tradebotEditor.register('tradebot-ticker')`. Each .html loads it, so the
 * bundle runs once per node type: only the first run sets up.
 */
import { upstream } from './shared/graph';
import { tabs } from './shared/tabs';
import { blank, edited, isNum, text } from './shared/values';
import { adoptOnlyConfig, markField, needsConfig, says } from './shared/validators';
import { dialogLabels, labelMessages } from './shared/labels';
import { expandFormRows } from './shared/form-rows';
import { definitions } from './nodes';

if (!window.tradebotEditor) {
  // Help text fits the sidebar (300-400 px): long code runs (message shapes, URLs) wrap instead of
  // widening the help; our code examples in <pre> wrap too. Node-RED shows help inside .red-ui-help.
  $('<style/>')
    .text('.red-ui-help p, .red-ui-help dd, .red-ui-help li { overflow-wrap: break-word; } .red-ui-help code { overflow-wrap: anywhere; word-break: break-word; } .red-ui-help pre { white-space: pre-wrap; overflow-wrap: anywhere; }')
    .appendTo('head');

  // Every tradebot node type, as the editor registers it (this file loads before the first of them).
  RED.events.on('registry:node-type-added', (type: string) => {
    if (/^tradebot-/.test(type)) labelMessages(RED.nodes.getType(type)!);
  });

  /**
   * Registers a node type with its definition from editor/nodes/, and puts the shared rows into its
   * form. The .html's script runs after its whole content is in the page (Node-RED appends a node
   * set's HTML, then runs its scripts), so the form is there; the editor reads it when a dialog opens.
   */
  function register(type: string): void {
    const make = definitions[type];
    if (!make) throw new Error(`tradebot editor: no definition for ${type}`);
    const form = document.querySelector(`script[data-template-name="${type}"]`);
    if (form) form.textContent = expandFormRows(form.textContent ?? '');
    RED.nodes.registerType(type, make());
  }

  window.tradebotEditor = { register, upstream, tabs, edited, blank, isNum, text, says, needsConfig, adoptOnlyConfig, markField, dialogLabels };
}
