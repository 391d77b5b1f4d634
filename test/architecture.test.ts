// The direction of imports between the parts of src/ (STYLE.md, "Direction of imports"; the map is
// docs/architecture.md). A node is a folder of src/ or a file at its top level. Outer layers (HTTP,
// CLI, LINE, the process entry points) import the domain; the domain imports the base; the base
// imports only the base; and nothing imports in a loop. Reads the source only: no database.
//
// `import type` counts like any import. It creates no runtime cycle, but it couples the folders all
// the same: a type-only loop means neither folder can be read, moved or tested without the other,
// and under verbatimModuleSyntax one deleted `type` keyword turns it into a runtime loop unnoticed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const SRC = path.join(import.meta.dirname, '..', 'src');

type Layer = 'outer' | 'domain' | 'base';

/**
 * Every node of src/ in its layer. A new folder or top-level file MUST be added here (and to
 * docs/architecture.md): the test refuses a node it cannot place.
 * - config sits in the domain, not the base: validating SUJARIT_LEDGER_WITNESSES uses the ledger's
 *   verifier-key parser (ledger/witness-client.ts).
 * - i18n and errors.ts import nothing of ours: they are base, usable from everywhere.
 * - pdf (Thai text and the Sarabun PDF layout) imports nothing of ours: the ITA report and the
 *   filing certificate both print with it.
 */
const LAYERS: Record<Layer, readonly string[]> = {
  outer: ['main.ts', 'start.ts', 'cluster.ts', 'server.ts', 'web', 'cli', 'channels', 'metrics'],
  domain: [
    'audit',
    'ledger',
    'config',
    'backup',
    'agencies',
    'mail',
    'intake',
    'staff',
    'cases',
    'ita',
    'procurement',
    'risk',
    'notify',
    'opendata',
    'ethics',
    'declarations',
  ],
  base: ['db', 'crypto', 'i18n', 'pdf', 'errors.ts'],
};

/** Which layers each layer may import (its own included). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  outer: ['outer', 'domain', 'base'],
  domain: ['domain', 'base'],
  base: ['base'],
};

/** node → imported node → the file-level imports behind that edge ("intake/a.ts → cases/b.ts"). */
type Graph = Map<string, Map<string, string[]>>;

const STATIC_IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[\w$*\s{},]*?\s*from\s*)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"`]([^'"`$]+)['"`]\s*\)/g;

/** The relative specifiers a module imports: static, type-only, re-exports and dynamic `import('…')`. */
function relativeImports(source: string): string[] {
  const found = [...source.matchAll(STATIC_IMPORT), ...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]);
  return found.filter((s) => s.startsWith('.'));
}

/** The node of a path relative to src/: its first folder, or the file itself at the top level. */
function nodeOf(relative: string): string {
  return relative.startsWith('..') ? relative : relative.split(path.sep)[0]; // outside src/: unplaced
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The node graph of src/ (tests excluded: a test may reach across layers to set up its subject). */
function srcGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file);
    const edges = graph.get(nodeOf(from)) ?? new Map<string, string[]>();
    graph.set(nodeOf(from), edges);
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const to = path.relative(SRC, path.resolve(path.dirname(file), spec));
      if (nodeOf(to) === nodeOf(from)) continue;
      const why = edges.get(nodeOf(to)) ?? [];
      if (!why.includes(`${from} → ${to}`)) edges.set(nodeOf(to), [...why, `${from} → ${to}`]);
    }
  }
  return graph;
}

function layerOf(node: string, layers: Record<Layer, readonly string[]>): Layer | undefined {
  return (Object.keys(layers) as Layer[]).find((l) => layers[l].includes(node));
}

/** Nodes of the graph (importers or imported) that no layer lists, or that several list. */
function unplaced(graph: Graph, layers: Record<Layer, readonly string[]>): string[] {
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((e) => [...e.keys()])]);
  return [...nodes].filter((n) => Object.values(layers).filter((l) => l.includes(n)).length !== 1).sort();
}

/** Every edge that goes against MAY_IMPORT, with the imports behind it. */
function layerViolations(graph: Graph, layers: Record<Layer, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, edges] of graph) {
    for (const [to, why] of edges) {
      const [a, b] = [layerOf(from, layers), layerOf(to, layers)];
      if (a && b && !MAY_IMPORT[a].includes(b)) out.push(`${from} (${a}) → ${to} (${b}): ${why.join(', ')}`);
    }
  }
  return out.sort();
}

/**
 * The import loops, found per strongly connected component of more than one node (Tarjan): for
 * each of its nodes, a shortest loop through it, each loop once (written from its least node, the
 * first repeated at the end). So one run shows every folder caught in a loop and how.
 */
function cycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const next = (n: string) => [...(graph.get(n)?.keys() ?? [])].sort();
  const visit = (n: string) => {
    index.set(n, index.size);
    low.set(n, index.get(n)!);
    stack.push(n);
    for (const m of next(n)) {
      if (!index.has(m)) {
        visit(m);
        low.set(n, Math.min(low.get(n)!, low.get(m)!));
      } else if (stack.includes(m)) low.set(n, Math.min(low.get(n)!, index.get(m)!));
    }
    if (low.get(n) !== index.get(n)) return;
    const component: string[] = [];
    let m: string;
    do component.push((m = stack.pop()!));
    while (m !== n);
    if (component.length > 1) components.push(component);
  };
  for (const n of [...graph.keys()].sort()) if (!index.has(n)) visit(n);
  // Breadth-first from `start` inside its component, where every node reaches every other.
  const shortestLoop = (start: string, component: string[]): string[] => {
    const back = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const n = queue.shift()!;
      for (const m of next(n).filter((x) => component.includes(x))) {
        if (m === start) {
          const loop = [n];
          while (loop[0] !== start) loop.unshift(back.get(loop[0])!);
          return loop;
        }
        if (!back.has(m)) {
          back.set(m, n);
          queue.push(m);
        }
      }
    }
    throw new Error(`${start} is in no loop of ${component.join(', ')}`);
  };
  const loops = new Map<string, string[]>();
  for (const component of components) {
    for (const n of [...component].sort()) {
      const loop = shortestLoop(n, component);
      const least = loop.indexOf([...loop].sort()[0]);
      const rotated = [...loop.slice(least), ...loop.slice(0, least)];
      loops.set(rotated.join(' → '), [...rotated, rotated[0]]);
    }
  }
  return [...loops.values()].sort((a, b) => a.join().localeCompare(b.join()));
}

function describeCycle(graph: Graph, loop: string[]): string {
  const hops = loop.slice(1).map((to, i) => `  ${loop[i]} → ${to}: ${graph.get(loop[i])!.get(to)!.join(', ')}`);
  return `${loop.join(' → ')}\n${hops.join('\n')}`;
}

/** A graph from "a → b" strings (the evidence of each edge is the edge itself). */
function graphOf(edges: string[]): Graph {
  const graph: Graph = new Map();
  for (const e of edges) {
    const [from, to] = e.split(' → ');
    graph.set(from, graph.get(from) ?? new Map());
    graph.set(to, graph.get(to) ?? new Map());
    graph.get(from)!.set(to, [e]);
  }
  return graph;
}

describe('the checker', () => {
  it('finds the relative imports of a module, type-only and dynamic ones included', () => {
    const table: [string, string[]][] = [
      ["import { a } from './a.ts';", ['./a.ts']],
      ["import type { A } from '../x/a.ts';", ['../x/a.ts']],
      ["import x, { type B,\n  c as d,\n} from '../y/b.ts';", ['../y/b.ts']],
      ["import * as parts from './parts/p.ts';", ['./parts/p.ts']],
      [
        "export { a } from '../z/a.ts';\nexport * from './b.ts';\nexport type { T } from './t.ts';",
        ['../z/a.ts', './b.ts', './t.ts'],
      ],
      ["import './side-effect.ts';", ['./side-effect.ts']],
      ["const m = await import('../ita/report-pdf.ts');", ['../ita/report-pdf.ts']],
      ["import { sql } from 'kysely';\nimport fs from 'node:fs';", []],
      ["// import { a } from '../web/a.ts';\nexport const from = 'x';\nexport type R = { from: string };", []],
    ];
    for (const [source, want] of table) assert.deepEqual(relativeImports(source), want, source);
  });

  it('finds the loops and the layer violations of a graph', () => {
    const layers: Record<Layer, readonly string[]> = {
      outer: ['web'],
      domain: ['cases', 'intake', 'ledger'],
      base: ['db'],
    };
    const table: { edges: string[]; loops: string[][]; violations: number }[] = [
      { edges: ['web → cases', 'cases → intake', 'intake → ledger', 'ledger → db'], loops: [], violations: 0 },
      { edges: ['cases → intake', 'intake → cases'], loops: [['cases', 'intake', 'cases']], violations: 0 },
      {
        edges: ['cases → intake', 'intake → ledger', 'ledger → cases', 'web → cases'],
        loops: [['cases', 'intake', 'ledger', 'cases']],
        violations: 0,
      },
      {
        edges: ['cases → intake', 'intake → cases', 'ledger → db', 'db → ledger'],
        loops: [
          ['cases', 'intake', 'cases'],
          ['db', 'ledger', 'db'],
        ],
        violations: 1,
      },
      {
        edges: ['cases → intake', 'intake → cases', 'intake → ledger', 'ledger → intake'],
        loops: [
          ['cases', 'intake', 'cases'],
          ['intake', 'ledger', 'intake'],
        ],
        violations: 0,
      },
      { edges: ['cases → web'], loops: [], violations: 1 },
      { edges: ['db → cases', 'db → web', 'web → db'], loops: [['db', 'web', 'db']], violations: 2 },
    ];
    for (const { edges, loops, violations } of table) {
      const graph = graphOf(edges);
      assert.deepEqual(cycles(graph), loops, edges.join(', '));
      assert.equal(layerViolations(graph, layers).length, violations, edges.join(', '));
    }
    assert.deepEqual(unplaced(graphOf(['web → cases', 'cases → notes']), layers), ['notes']);
  });
});

describe('imports between the parts of src/', () => {
  const graph = srcGraph();

  it('places every folder and top-level file of src/ in exactly one layer', () => {
    assert.deepEqual(unplaced(graph, LAYERS), []);
    const listed = Object.values(LAYERS).flat();
    assert.deepEqual(
      listed.filter((n) => !graph.has(n)),
      [],
      'a layer lists a node that src/ no longer has',
    );
  });

  it('imports only inward: outer → domain → base, never back out', () => {
    const violations = layerViolations(graph, LAYERS);
    assert.deepEqual(violations, [], `imports against the layers:\n${violations.join('\n')}`);
  });

  it('has no import loop between folders', () => {
    const loops = cycles(graph);
    assert.deepEqual(loops, [], `import loops:\n${loops.map((l) => describeCycle(graph, l)).join('\n')}`);
  });
});
