/**
 * No import circle among the package's modules (core/, nodes/, editor/), type imports included: a
 * circle means two modules that cannot be understood, tested or moved apart, and a type that
 * belongs in neither. Found by Tarjan's strongly connected components over the relative imports.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Each module and the package modules it imports (import, export … from, import(), require()). */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const code = fs.readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of code.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|require\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const base = path.resolve(path.dirname(file), (m[1] ?? m[2] ?? m[3])!);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => known.has(c));
      if (target) deps.push(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** The circles: strongly connected components of more than one module, or a module importing itself. */
function circles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('imports', function () {
  it('finds a circle when there is one (the check itself)', function () {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    assert.deepEqual(circles(graph).map((c) => c.sort()), [['a', 'b', 'c']]);
  });

  it('no module of core/, nodes/ or editor/ imports itself through others', function () {
    const files = ['core', 'nodes', 'editor'].flatMap((d) => sources(path.join(ROOT, d)));
    assert.ok(files.length > 200, `${files.length} modules read`);
    const found = circles(importGraph(files)).map((c) => c.map((f) => path.relative(ROOT, f)).join(' -> '));
    assert.deepEqual(found, []);
  });
});
