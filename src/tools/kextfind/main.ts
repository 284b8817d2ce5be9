/**
 * `iokit kextfind [options] [directory…] [query] [commands]`: finds kexts by the predicates of
 * Apple's kextfind and prints them. Without directories it searches the system extensions folders.
 * Without a command, matching kexts are printed (`-print`).
 *
 * Ours: `-dot` prints the library graph of the matching kexts as Graphviz (`dot -Tsvg`), missing
 * and incompatible libraries as red dashed edges with the reason; `-load-order` prints the matching
 * kexts that resolve, libraries first (the order a boot loader must inject them in);
 * `-kernel-version X.Y.Z` stamps xnu's pseudo-kexts as kextutil's does.
 */
import {
  KextAnalyzer, dependencyGraph, formatDependencyGraphDot, formatKextDiagnostics, hasLogOrDebugFlags, isValidKernelVersion,
  loadOrder, baseName, type OSKext,
} from "../../kext/index.ts";
import { checkToolPath, loadKextSet, SYSTEM_EXTENSIONS_FOLDERS } from "../../host/index.ts";
import type { ToolIO } from "../ToolIO.ts";
import { COMMANDS, KextQueryError, PREDICATES, evaluatePredicate, parseKextQuery, type KextFacts, type QueryNode } from "./kextQuery.ts";
import { formatKextProperty } from "./formatKextProperty.ts";

export const summary = "find kexts by property, validity, dependencies (kextfind), draw their library graph";

const EX_USAGE = 64;

const USAGE = `usage: kextfind [options] [directory ...] [query] [commands]
options: -case-insensitive (-i), -substring (-s), -nul (-0), -relative-paths, -no-paths,
         -system-extensions (-e), -kernel-version X.Y.Z, -dot, -load-order, -help (-h)
query:   -and, -or, -not (!), ( ), -property K V, -property-exists K, -match-property K V,
         -match-property-exists K, -valid, -invalid, -authentic, -inauthentic, -dependencies-met,
         -dependencies-missing, -loadable, -nonloadable, -warnings, -library, -has-plugins, -plugin,
         -debug, -kernel-resource, -duplicate-id, -compatible-with-version V, -version [ne|gt|ge|le]V|V1-V2,
         -arch A[,A], -arch-exact A[,A], -executable, -no-executable, -bundle-id ID, -bundle-name NAME,
         -root, -console, -local-root, -network-root, -safe-boot
commands: -print, -print0, -echo S, -print-diagnostics, -print-property K, -print-match-property K,
         -print-arches, -print-dependencies, -print-dependents, -print-plugins, -print-executable
`;

type PathSpec = "full" | "relative" | "none";

interface Options {
  caseInsensitive: boolean;
  substring: boolean;
  nul: boolean;
  paths: PathSpec;
  systemExtensions: boolean;
  kernelVersion: string | undefined;
  dot: boolean;
  loadOrder: boolean;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const o: Options = { caseInsensitive: false, substring: false, nul: false, paths: "full", systemExtensions: false, kernelVersion: undefined, dot: false, loadOrder: false };
  const dirs: string[] = [];
  const queryTokens: string[] = [];
  // Options may appear anywhere (kextfind reads them with getopt_long_only); predicates' arguments
  // are copied through untouched so a value such as "-s" is never taken for an option.
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const arity = PREDICATES.get(a) ?? COMMANDS.get(a);
    if (arity !== undefined) {
      queryTokens.push(...argv.slice(i, i + 1 + arity));
      i += arity;
    } else if (a === "-h" || a === "-help" || a === "--help") { io.stderr(USAGE); return 0; }
    else if (a === "-i" || a === "-case-insensitive") o.caseInsensitive = true;
    else if (a === "-s" || a === "-substring") o.substring = true;
    else if (a === "-0" || a === "-nul") o.nul = true;
    else if (a === "-relative-paths") o.paths = "relative";
    else if (a === "-no-paths") o.paths = "none";
    else if (a === "-e" || a === "-system-extensions") o.systemExtensions = true;
    else if (a === "-dot") o.dot = true;
    else if (a === "-load-order") o.loadOrder = true;
    else if (a === "-kernel-version") {
      const v = argv[++i];
      if (v === undefined || !isValidKernelVersion(v)) {
        io.stderr(`kextfind: invalid kernel version '${v ?? ""}' (expected MAJOR.MINOR.REVISION)\n`);
        return EX_USAGE;
      }
      o.kernelVersion = v;
    } else if (queryTokens.length === 0 && !a.startsWith("-") && a !== "(" && a !== "!") {
      const bad = await checkToolPath(a, undefined, true);
      if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
      dirs.push(a);
    } else queryTokens.push(a);
  }
  let parsed;
  try {
    parsed = parseKextQuery(queryTokens);
  } catch (e) {
    if (!(e instanceof KextQueryError)) throw e;
    io.stderr(`kextfind: ${e.message}\n${USAGE}`);
    return EX_USAGE;
  }
  const useSystem = dirs.length === 0 || o.systemExtensions;
  const loaded = await loadKextSet({ repositories: dirs, systemExtensions: useSystem }, { kernelVersion: o.kernelVersion });
  for (const u of loaded.unreadable) io.stderr(`kextfind: can't read ${u.path}: ${u.error}\n`);
  const kexts = [...loaded.set.all()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const analyzer = new KextAnalyzer(loaded.set, { qualify: false });
  const facts = makeFacts(analyzer);
  const roots = [...dirs, ...(useSystem ? SYSTEM_EXTENSIONS_FOLDERS : [])];
  const printer = new KextPrinter(io, o, roots, analyzer);
  const matched: OSKext[] = [];
  for (const k of kexts) {
    if (parsed.query !== undefined && !evaluate(parsed.query, k, facts, o, printer)) continue;
    matched.push(k);
    if (!parsed.hasCommand && !o.dot && !o.loadOrder) printer.print(k, o.nul ? "\0" : "\n");
  }
  if (o.loadOrder) for (const k of loadOrder(analyzer.resolver, matched)) printer.print(k, o.nul ? "\0" : "\n");
  if (o.dot) io.stdout(formatDependencyGraphDot(dependencyGraph(analyzer.resolver, matched)));
  return 0;
}

function makeFacts(an: KextAnalyzer): KextFacts {
  const analysis = new Map<OSKext, ReturnType<KextAnalyzer["analyze"]>>();
  const get = (k: OSKext) => {
    let a = analysis.get(k);
    if (a === undefined) analysis.set(k, (a = an.analyze(k)));
    return a;
  };
  return {
    valid: (k) => !an.validation(k).some((d) => d.category === "validation"),
    authentic: (k) => an.authentication(k).length === 0,
    dependenciesMet: (k) => an.resolver.resolve(k).ok,
    loadable: (k) => get(k).loadable,
    warnings: (k) => get(k).diagnostics.some((d) => d.category === "warnings"),
    debug: (k) => hasLogOrDebugFlags(k),
    duplicateID: (k) => k.bundleID !== undefined && an.set.withIdentifier(k.bundleID).length > 1,
    archs: (k) => (k.executable?.kind === "macho" ? k.executable.archs : []),
  };
}

/** Evaluates the tree; commands print as a side effect, in query order, and are true. */
function evaluate(node: QueryNode, k: OSKext, facts: KextFacts, o: Options, printer: KextPrinter): boolean {
  switch (node.op) {
    case "and": return evaluate(node.left, k, facts, o, printer) && evaluate(node.right, k, facts, o, printer);
    case "or": return evaluate(node.left, k, facts, o, printer) || evaluate(node.right, k, facts, o, printer);
    case "not": return !evaluate(node.operand, k, facts, o, printer);
    default:
      if (COMMANDS.has(node.name)) {
        printer.command(node.name, node.args, k);
        return true;
      }
      return evaluatePredicate(node.name, node.args, k, facts, o);
  }
}

class KextPrinter {
  readonly #io: ToolIO;
  readonly #o: Options;
  readonly #roots: readonly string[];
  readonly #an: KextAnalyzer;

  constructor(io: ToolIO, o: Options, roots: readonly string[], an: KextAnalyzer) {
    this.#io = io;
    this.#o = o;
    this.#roots = roots;
    this.#an = an;
  }

  #end(): string {
    return this.#o.nul ? "\0" : "\n";
  }

  /** `copyPathForKext`: absolute path, path relative to its repository, or just the bundle name. */
  pathOf(k: OSKext): string {
    const abs = k.path.startsWith("/") ? k.path : `${this.#io.cwd.replace(/\/+$/, "")}/${k.path.replace(/^\.\//, "")}`;
    if (this.#o.paths === "none") return baseName(k.path);
    if (this.#o.paths === "relative") {
      const container = k.parentPath ?? k.path;
      const repo = container.slice(0, container.lastIndexOf("/"));
      return k.path.startsWith(`${repo}/`) ? k.path.slice(repo.length + 1) : abs;
    }
    void this.#roots;
    return abs;
  }

  print(k: OSKext, end: string): void {
    this.#io.stdout(`${this.pathOf(k)}${end}`);
  }

  command(name: string, args: readonly string[], k: OSKext): void {
    const io = this.#io;
    const end = this.#end();
    switch (name) {
      case "-print": this.print(k, end); break;
      case "-print0": this.print(k, "\0"); break;
      case "-echo": io.stdout(`${args[0] as string}${end}`); break;
      case "-print-diagnostics": io.stdout(formatKextDiagnostics(this.#an.analyze(k).diagnostics)); break;
      case "-print-property": {
        const v = k.info?.get(args[0] as string);
        if (v !== undefined) io.stdout(formatKextProperty(undefined, args[0] as string, v, end));
        break;
      }
      case "-print-match-property":
        for (const [pname, p] of k.personalities()) {
          const v = p instanceof Map ? p.get(args[0] as string) : undefined;
          if (v !== undefined) io.stdout(formatKextProperty(pname, args[0] as string, v, end));
        }
        break;
      case "-print-arches": {
        const archs = k.executable?.kind === "macho" ? k.executable.archs : [];
        if (archs.length > 0) io.stdout(`${archs.join(",")}${end}`);
        break;
      }
      case "-print-dependencies": {
        const list = this.#an.resolver.loadList(k);
        for (const d of list.slice(0, -1)) this.print(d, end);
        break;
      }
      case "-print-dependents":
        for (const other of this.#an.set.all()) {
          if (other !== k && this.#an.resolver.loadList(other).includes(k)) this.print(other, end);
        }
        break;
      case "-print-plugins": for (const p of k.plugins) this.print(p, end); break;
      case "-print-executable":
        if (k.executable?.found) io.stdout(`${this.pathOf(k)}/${k.executable.relativePath}${end}`);
        break;
      default: break;
    }
  }
}
