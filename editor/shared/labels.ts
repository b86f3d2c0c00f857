/** Each field's label in a node type's dialog (the text of `<label for="node-input-<prop>">`), read once from its template. */
const labelCache: Record<string, Record<string, string>> = {};
export function dialogLabels(type: string): Record<string, string> {
  if (labelCache[type]) return labelCache[type];
  const html: string = $('script[data-template-name="' + type + '"]').html() || '';
  const labels: Record<string, string> = {};
  const re = /<label[^>]*\bfor="node-(?:config-)?input-([A-Za-z0-9_]+)"[^>]*>([\s\S]*?)<\/label>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    const words = m[2].replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim();
    if (words && !labels[m[1]]) labels[m[1]] = words;
  }
  if (html) labelCache[type] = labels;
  return labels;
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Puts the dialog's label in front of every validator message of a node type, so a message says
 * which field it is about in the words the user sees ("Amount must be a number above 0"), in the
 * field's tooltip and in the red triangle's list alike. It also makes every validator a
 * two-argument one: Node-RED takes a returned string as the message only from those, and as
 * "valid" from a one-argument validator. A message that already starts with its label stays.
 * A required field gets its label too, for the editor's own "property value missing".
 */
export function labelMessages(def: NodeDefinition): void {
  [def.defaults, def.credentials].forEach((fields) => {
    if (!fields) return;
    Object.keys(fields).forEach((prop) => {
      const field = (fields as Record<string, EditorField>)[prop];
      if (!field || field._tradebotLabelled) return;
      field._tradebotLabelled = true;
      // A field without a <label> of its own (one of two inputs in a row) is named in the type's `tradebotLabels`.
      const labelOf = () => (def.tradebotLabels && def.tradebotLabels[prop]) || dialogLabels(def.type!)[prop];
      if (field.required && !('label' in field)) {
        Object.defineProperty(field, 'label', { get: labelOf, enumerable: false, configurable: true });
      }
      // Validators made by says() and needsConfig() word their messages already.
      if (typeof field.validate !== 'function' || field.validate.tradebotWorded) return;
      const inner = field.validate;
      field.validate = function (this: EditorNode, v: any, opt?: unknown) {
        // Asked for its message without the label (Node-RED's own validators would put it in twice).
        const r = inner.call(this, v, {});
        if (r === true) return true;
        if (Array.isArray(r)) return r;
        if (r && typeof r !== 'string') return true; // a truthy 2.x-style answer
        if (!opt) return false;
        const message = typeof r === 'string' && r.trim() ? r.trim() : 'is not valid';
        const label = labelOf();
        if (!label) return message;
        if (message.toLowerCase().indexOf(label.toLowerCase()) === 0) return capitalised(message);
        return /^(must|is|are|needs|has) /.test(message) ? label + ' ' + message : label + ': ' + message;
      };
    });
  });
}
