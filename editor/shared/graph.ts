/** Nodes of a type wired (directly or through other nodes, not through `stopAt` nodes) into `node`. */
export function upstream(node: EditorNode, type: string, stopAt: string | null = null): EditorNode[] {
  const found: EditorNode[] = [];
  try {
    const seen: Record<string, boolean> = { [node.id]: true };
    const queue = [node];
    let visited = 0;
    while (queue.length && visited < 500) {
      const n = queue.shift()!;
      visited++;
      RED.nodes.filterLinks({ target: n }).forEach((l) => {
        const s = l.source;
        if (!s || seen[s.id]) return;
        seen[s.id] = true;
        if (s.type === type) found.push(s);
        if (!stopAt || s.type !== stopAt) queue.push(s);
      });
    }
  } catch {
    // suggestions only: an editor without this API just offers none
  }
  return found;
}
