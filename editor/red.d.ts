/**
 * What the dialogs use of the Node-RED editor (the global `RED`) and of jQuery, which the editor
 * provides as the global `$`. Node-RED publishes no types for its editor; these cover the calls made
 * here, jQuery stays loose.
 */
export {};

declare global {
  /** jQuery as the editor ships it (loosely typed: its widgets are jQuery UI plugins). */
  const $: any;

  /** A node (or config node) in the editor: its saved properties plus the editor's own. */
  interface EditorNode {
    id: string;
    type: string;
    name?: string;
    z?: string;
    x?: number;
    d?: boolean;
    changed?: boolean;
    valid?: boolean;
    _def?: NodeDefinition;
    [prop: string]: any;
  }

  /** A validator as Node-RED calls it: the value, and (Node-RED 3+) options asking for a message. */
  type EditorValidator = ((this: EditorNode, value: any, opt?: unknown) => boolean | string | string[]) & { tradebotWorded?: boolean };

  interface EditorField {
    value: unknown;
    required?: boolean;
    type?: string;
    label?: string;
    validate?: EditorValidator;
    _tradebotLabelled?: boolean;
  }

  /** What a node type registers with RED.nodes.registerType. */
  interface NodeDefinition {
    type?: string;
    category: string;
    color?: string;
    paletteLabel?: string | (() => string);
    defaults: Record<string, EditorField>;
    credentials?: Record<string, { type: 'text' | 'password'; value?: unknown; required?: boolean; label?: string; validate?: EditorValidator; _tradebotLabelled?: boolean }>;
    inputs?: number;
    outputs?: number;
    inputLabels?: string | string[] | ((this: EditorNode, i: number) => string);
    outputLabels?: string | string[] | ((this: EditorNode, i: number) => string);
    icon?: string;
    align?: 'left' | 'right';
    button?: Record<string, unknown>;
    exclusive?: boolean;
    /** The labels of fields without a <label> of their own (one of two inputs in a row). */
    tradebotLabels?: Record<string, string>;
    label?: (this: EditorNode) => string;
    labelStyle?: (this: EditorNode) => string;
    oneditprepare?: (this: EditorNode) => void;
    oneditsave?: (this: EditorNode) => void | boolean;
    oneditcancel?: (this: EditorNode) => void;
    oneditdelete?: (this: EditorNode) => void;
    oneditresize?: (this: EditorNode, size: { width: number; height: number }) => void;
    onadd?: (this: EditorNode) => void;
    onpaletteadd?: () => void;
    [key: string]: unknown;
  }

  interface Link {
    source: EditorNode;
    target: EditorNode;
  }

  const RED: {
    nodes: {
      registerType(type: string, definition: NodeDefinition): void;
      getType(type: string): NodeDefinition | undefined;
      node(id: string): EditorNode | undefined;
      eachNode(cb: (n: EditorNode) => void | boolean): void;
      eachConfig(cb: (n: EditorNode) => void | boolean): void;
      filterLinks(filter: { source?: EditorNode; target?: EditorNode }): Link[];
      [key: string]: any;
    };
    events: { on(event: string, cb: (...args: any[]) => void): void };
    tabs: { create(options: { id: string; onchange: (tab: { id: string }) => void }): { addTab(tab: { id: string; label: string }): void; activateTab(id: string): void } };
    popover: { tooltip(el: unknown, content: string): { setContent(c: string): void; delete(): void } };
    settings: Record<string, any>;
    notify(message: string, options?: unknown): unknown;
    [key: string]: any;
  };

  interface Window {
    tradebotEditor?: unknown;
  }
}
