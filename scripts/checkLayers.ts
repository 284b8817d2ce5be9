/**
 * Enforces the layer table of ARCHITECTURE.md on src/: imports point down only, cross-folder imports
 * go through the folder's `index.ts`, folders marked "no" in the node:* column import neither
 * `node:*` nor Node built-ins, and there are no import cycles between files.
 *
 * The table is read from ARCHITECTURE.md itself, so the document and the check cannot drift apart.
 * Run: `npm run check:layers`. Exit code 1 and one line per violation when anything is wrong.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export interface LayerRule {
  readonly folder: string;
  readonly level: number;
  readonly mayImport: ReadonlySet<string>;
  readonly node: boolean;
}

/** Reads the `| level | folder | may import | node:* |` table from ARCHITECTURE.md text. */
export function parseLayerTable(markdown: string): Map<string, LayerRule> {
  const rules = new Map<string, LayerRule>();
  const start = markdown.indexOf("<!-- layers:begin -->");
  const end = markdown.indexOf("<!-- layers:end -->");
  if (start < 0 || end < 0) throw new Error("ARCHITECTURE.md: layer table markers <!-- layers:begin/end --> not found");
  for (const line of markdown.slice(start, end).split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 6 || !/^L\d+$/.test(cells[1] ?? "")) continue;
    const folder = (cells[2] ?? "").replace(/`/g, "");
    const may = (cells[3] ?? "").replace(/`/g, "").split(",").map((s) => s.trim()).filter((s) => s && s !== "—" && s !== "-");
    rules.set(folder, { folder, level: Number((cells[1] as string).slice(1)), mayImport: new Set(may), node: /yes/i.test(cells[4] ?? "") });
  }
  return rules;
}

export interface Violation {
  readonly file: string;
  readonly message: string;
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The module specifiers a TypeScript source imports or re-exports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const stripped = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  for (const m of stripped.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2]) as string);
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

const NODE_BUILTINS = new Set(builtinModules);

/** Checks every file under `srcDir` against `rules`; returns the violations. */
export function checkTree(srcDir: string, rules: Map<string, LayerRule>): Violation[] {
  const violations: Violation[] = [];
  const files = walk(srcDir);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const rel = relative(srcDir, file).split(sep).join("/");
    const folder = rel.split("/")[0] as string;
    const rule = rules.get(folder);
    const isTest = /\.test\.ts$|\.case\.ts$/.test(file);
    if (!rule) {
      if (rel.includes("/")) violations.push({ file: rel, message: `folder src/${folder} is not in the ARCHITECTURE.md layer table` });
      continue;
    }
    const edges: string[] = [];
    for (const spec of importsOf(readFileSync(file, "utf8"))) {
      if (spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0] as string)) {
        if (!rule.node && !isTest) violations.push({ file: rel, message: `imports '${spec}' but src/${folder} may not use Node built-ins` });
        continue;
      }
      if (!spec.startsWith(".")) continue; // npm packages: allowed where the layer allows them
      const target = resolve(dirname(file), spec);
      const trel = relative(srcDir, target).split(sep).join("/");
      if (trel.startsWith("..")) {
        if (isTest) continue; // tests may use test/support
        violations.push({ file: rel, message: `imports '${spec}' from outside src/` });
        continue;
      }
      const tfolder = trel.split("/")[0] as string;
      if (!isTest) edges.push(target);
      if (tfolder === folder || isTest) continue;
      if (!rule.mayImport.has(tfolder)) {
        violations.push({ file: rel, message: `imports src/${tfolder} ('${spec}'): src/${folder} may import only ${[...rule.mayImport].join(", ") || "nothing"}` });
      } else if (!trel.endsWith("/index.ts")) {
        violations.push({ file: rel, message: `imports '${spec}': cross-folder imports must go through an index.ts` });
      }
    }
    if (!isTest) graph.set(file, edges);
  }
  // Cycles between files (Tarjan's strongly connected components).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) {
        violations.push({ file: relative(srcDir, v), message: `import cycle: ${comp.map((f) => relative(srcDir, f)).join(" -> ")}` });
      }
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return violations;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const rules = parseLayerTable(readFileSync(join(root, "ARCHITECTURE.md"), "utf8"));
  const violations = checkTree(join(root, "src"), rules);
  for (const v of violations) process.stderr.write(`src/${v.file}: ${v.message}\n`);
  if (violations.length > 0) {
    process.stderr.write(`check:layers: ${violations.length} violation(s)\n`);
    process.exit(1);
  }
  process.stdout.write(`check:layers: ${rules.size} layers, no violations\n`);
}
