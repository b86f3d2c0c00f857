/** Reading values as the dialogs hold them: text from inputs, numbers or text from saved nodes. */
export { blank, isNum, text } from '../../nodes/shared/spec';

/**
 * What a validator reads for `prop`: while the node's own dialog is open (`editingId`), the field
 * being edited, so "needed for this choice" follows what the user picks; else the saved value.
 */
export function edited(editingId: string | null, node: EditorNode, prop: string): any {
  if (editingId !== null && editingId === node.id) {
    // A config node's dialog names its inputs node-config-input-…, a flow node's node-input-….
    const el = $((node._def && node._def.category === 'config' ? '#node-config-input-' : '#node-input-') + prop);
    if (el.length) return el.attr('type') === 'checkbox' ? el.prop('checked') : el.val();
  }
  return node[prop];
}
