import { blank } from './values';

/**
 * A Node-RED validator whose message names the field by its label in the dialog. `test` is called
 * with the node as `this` and returns true (fine) or the rest of the sentence ("must be …"); the
 * message is `label + ' ' + rest`, so the red triangle's list and the field's tooltip read like the
 * dialog. Two arguments: Node-RED (3 and later) shows a returned string only from such a validator;
 * a one-argument validator's string counts as valid.
 */
export function says(label: string | undefined, test: (this: EditorNode, v: any) => boolean | string | undefined): EditorValidator {
  const validate: EditorValidator = function (this: EditorNode, v: any, opt?: unknown) {
    const r = test.call(this, v);
    if (r === true || r === undefined || r === '') return true;
    const rest = typeof r === 'string' ? r : 'is not valid';
    // A rest that starts with ':' ("Allowed chats: \"x\" is not a chat id") follows the label directly.
    const message = label ? label + (rest.startsWith(':') ? '' : ' ') + rest : rest;
    return opt ? message : false;
  };
  validate.tradebotWorded = true;
  return validate;
}

export function configMissing(v: unknown): boolean {
  return blank(v) || v === '_ADD_';
}

/**
 * The validator of a config-node field the node cannot work without (an exchange, a Redis, a
 * Telegram bot): empty, gone or invalid is refused with a message in the dialog's words. `needed`
 * (optional, the node as `this`) says whether the node's settings need it at all. With its own
 * validator the editor leaves the config-node check to this one, so it checks what the editor would.
 */
export function needsConfig(label: string, what: string, needed?: (this: EditorNode) => boolean): EditorValidator {
  const validate: EditorValidator = function (this: EditorNode, v: any, opt?: unknown) {
    if (needed && !needed.call(this)) return true;
    let message: true | string = true;
    const thing = what.replace(/^an? /, '');
    if (configMissing(v)) message = label + ' is missing: pick ' + what + ', or add one with the + button';
    else {
      const config = RED.nodes.node(v);
      if (!config) message = label + ': the selected ' + thing + ' no longer exists: pick another';
      else if (config.valid === false) message = label + ': the selected ' + thing + ' has invalid settings: open it with the pencil button';
    }
    return message === true ? true : opt ? message : false;
  };
  validate.tradebotWorded = true;
  return validate;
}

/**
 * For a node's `onadd`: each listed config-node field left empty takes the one config node of its
 * type the node's flow can use, when there is exactly one (a new candles node takes the workspace's
 * only exchange). Only for a node created from the palette or the quick-add box: the editor calls
 * `onadd` on imported and pasted nodes too, after giving them a position and marking them
 * changed; those keep what they were imported with.
 */
export function adoptOnlyConfig(node: EditorNode, props: string[]): void {
  if (node.x !== undefined || node.changed) return;
  props.forEach((prop) => {
    const def = node._def && node._def.defaults && node._def.defaults[prop];
    if (!def || !def.type || !configMissing(node[prop])) return;
    const found: EditorNode[] = [];
    RED.nodes.eachConfig((c) => {
      if (c.type === def.type && !c.d && (!c.z || c.z === node.z)) found.push(c);
    });
    if (found.length === 1) node[prop] = found[0].id;
  });
}

/** Marks a field the editor does not validate itself (a list row's input): red, with `message` as its tooltip; '' clears. */
export function markField(el: any, message: string): void {
  el.toggleClass('input-error', !!message);
  el.attr('aria-invalid', message ? 'true' : null);
  const tip = el.data('tradebotTooltip');
  if (message) {
    if (tip) tip.setContent(message);
    else el.data('tradebotTooltip', RED.popover.tooltip(el, message));
  } else if (tip) {
    tip.delete();
    el.removeData('tradebotTooltip');
  }
}
