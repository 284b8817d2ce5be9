/**
 * `iokit kextlibs`: which library kexts define the symbols a kext's executable leaves undefined —
 * the `OSBundleLibraries` a kext should declare — as Apple's kextlibs prints it.
 *
 * Libraries are searched in the system extensions folders (when no `-r` is given, or with `-e`) and
 * in `-r` repositories; each library's exports are the defined external symbols of its own
 * executable for the architecture in question. The kernel's `com.apple.kpi.*` pseudo-kexts are
 * interface kexts whose executables are symbol sets, as the System.kext plug-ins of a macOS install
 * or a Kernel Debug Kit carry them (`-r <KDK>/System/Library/Extensions`). A KPI no repository
 * holds is taken from the symbol sets bundled with iokit-ts (xnu's export lists, kext/kpi), or,
 * with `-kernel PATH`, from a real kernel or kernel collection, whose sets then replace every
 * repository's.
 *
 * Libraries go to standard output (plain or `-xml`); the per-architecture symbol report goes to
 * standard error. Exit: 0, 1 undefined symbols, 2 multiply defined symbols (higher wins), 33 help.
 */
import {
  findLinkDependencies, isSearchableLibrary, libraryExports,
  type KextArchSymbols, type LinkDependencies, type LinkLibrary, type LinkLibraryKext, type OSKext,
} from "../../kext/index.ts";
// Imported from kext/kpi itself, not through the kext barrel, so that the bundled sets (109 KB)
// land in the chunks of the tools that use them: esbuild splits by file reachability.
import { kernelLibraries, type KernelSource } from "../../kext/kpi/index.ts";
import { OSKextVersionGetString } from "../../libkern/index.ts";
import { checkToolPath, loadKernel, loadKextSet, readKextArchSymbols } from "../../host/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "find the OSBundleLibraries a kext needs from its undefined symbols (kextlibs)";

/** `kextlibs_main.h` exit codes. */
export const kKextlibsExit = { OK: 0, Undefineds: 1, Multiples: 2, Help: 33 } as const;
const EX_USAGE = 64;
const EX_NOINPUT = 66;
const EX_SOFTWARE = 70;

const USAGE = `usage: kextlibs [options] kext

kext: file system path to a kext bundle
  -xml                      print an XML plist fragment of OSBundleLibraries
  -c, -compatible-versions  print compatible versions instead of current versions
  -all-symbols              list undefined, singly and multiply defined symbols
  -undef-symbols (-u)       list symbols not found in any library kext
  -onedef-symbols           list symbols found in exactly one library kext
  -multdef-symbols          list symbols found in more than one library kext
  -unsupported              search unsupported and private KPIs too
  -non-kpi                  search com.apple.kernel.* instead of com.apple.kpi.*
  -r DIR, -repository DIR   search DIR for library kexts (repeatable)
  -e, -system-extensions    search the system extensions folders too
  -arch ARCH                resolve ARCH only (repeatable; default: every architecture)
  -kernel PATH              take the com.apple.kpi.* symbol sets from this kernel or kernel
                            collection (default: System.kext in the repositories, else the sets
                            bundled from xnu's export lists)
  -q, -quiet                print nothing on standard error
  -v [N], -verbose [N]      print the libraries searched
  -h, -help                 print this message
`;

interface Args {
  kext: string;
  repositories: string[];
  systemExtensions: boolean;
  archs: string[];
  xml: boolean;
  compatible: boolean;
  undef: boolean;
  onedef: boolean;
  multdef: boolean;
  unsupported: boolean;
  nonKPI: boolean;
  kernel: string | undefined;
  quiet: boolean;
  verbose: boolean;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, {
      short: "cr:eqvhu",
      long: [
        { name: "xml", hasArg: "none" },
        { name: "compatible-versions", hasArg: "none", id: "c" },
        { name: "all-symbols", hasArg: "none" },
        { name: "undef-symbols", hasArg: "none", id: "u" },
        { name: "onedef-symbols", hasArg: "none" },
        { name: "multdef-symbols", hasArg: "none" },
        { name: "unsupported", hasArg: "none" },
        { name: "non-kpi", hasArg: "none" },
        { name: "repository", hasArg: "required", id: "r" },
        { name: "system-extensions", hasArg: "none", id: "e" },
        { name: "arch", hasArg: "required" },
        // Divergence from XNU: kextlibs has no -kernel; the name follows kextutil's and kextcache's.
        { name: "kernel", hasArg: "required" },
        { name: "quiet", hasArg: "none", id: "q" },
        { name: "verbose", hasArg: "optional", id: "v" },
        { name: "help", hasArg: "none", id: "h" },
      ],
      permute: true,
    }, "kextlibs");
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    io.stderr(`${e.message}\n${USAGE}`);
    return EX_USAGE;
  }
  const a: Args = {
    kext: "", repositories: [], systemExtensions: false, archs: [], xml: false, compatible: false,
    undef: false, onedef: false, multdef: false, unsupported: false, nonKPI: false, kernel: undefined, quiet: false, verbose: false,
  };
  for (const o of parsed.options) {
    const v = o.value as string;
    switch (o.id) {
      case "h": io.stderr(USAGE); return kKextlibsExit.Help;
      case "xml": a.xml = true; break;
      case "c": a.compatible = true; break;
      case "all-symbols": a.undef = a.onedef = a.multdef = true; break;
      case "u": a.undef = true; break;
      case "onedef-symbols": a.onedef = true; break;
      case "multdef-symbols": a.multdef = true; break;
      case "unsupported": a.unsupported = true; break;
      case "non-kpi": a.nonKPI = true; break;
      case "r": {
        const bad = await checkToolPath(v, undefined, true);
        if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
        a.repositories.push(v);
        break;
      }
      case "e": a.systemExtensions = true; break;
      case "arch": a.archs.push(v); break;
      case "kernel": {
        const bad = await checkToolPath(v, undefined, false);
        if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
        a.kernel = v;
        break;
      }
      case "q": a.quiet = true; break;
      case "v": a.verbose = true; break;
      default: break;
    }
  }
  if (parsed.operands.length !== 1) {
    io.stderr(`${parsed.operands.length === 0 ? "No kext specified." : "Only one kext may be specified."}\n${USAGE}`);
    return EX_USAGE;
  }
  const bad = await checkToolPath(parsed.operands[0]!, "kext", true);
  if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
  a.kext = parsed.operands[0]!.replace(/(.)\/+$/, "$1");
  return run(a, io);
}

async function run(a: Args, io: ToolIO): Promise<number> {
  const err = (s: string): void => { if (!a.quiet) io.stderr(s); };
  const { set, named } = await loadKextSet({
    kexts: [a.kext], repositories: a.repositories,
    systemExtensions: a.systemExtensions || a.repositories.length === 0,
  });
  const kext = named[0]!;
  const name = kext.path;
  // A codeless kext: only the "does not need to" case is a success (spec §5.3).
  if (!kext.declaresExecutable) {
    if (kext.isLibrary) {
      err(`${name} is a library without an executable; defining its OSBundleLibraries (if any) is up to you.\n`);
      return EX_SOFTWARE;
    }
    if (kext.libraries().size > 0) {
      err(`${name} has no executable and should not declare OSBundleLibraries.\n`);
      return EX_SOFTWARE;
    }
    err(`${name} has no executable and does not need to declare OSBundleLibraries.\n`);
    return kKextlibsExit.OK;
  }
  const own = await readKextArchSymbols(kext);
  if (own === undefined) {
    io.stderr(`Can't read executable for ${name}.\n`);
    return EX_NOINPUT;
  }
  let slices = own;
  if (a.archs.length > 0) {
    for (const arch of a.archs) {
      if (!own.some((s) => s.arch === arch)) {
        io.stderr(`${name} does not contain code for architecture ${arch}.\n`);
        return EX_USAGE;
      }
    }
    slices = own.filter((s) => a.archs.includes(s.arch));
  }

  const options = { nonKPI: a.nonKPI, unsupported: a.unsupported };
  const candidates = set.all().filter((k) => isSearchableLibrary(k, kext, options));
  const candidateSymbols = new Map<OSKext, KextArchSymbols[] | undefined>();
  for (const k of candidates) candidateSymbols.set(k, await readKextArchSymbols(k));
  let kernel: KernelSource | undefined;
  if (a.kernel !== undefined) {
    const loaded = await loadKernel(a.kernel);
    if (typeof loaded === "string") { io.stderr(loaded); return EX_NOINPUT; }
    kernel = loaded;
  }
  const results: Array<{ arch: string; deps: LinkDependencies }> = [];
  for (const slice of slices) {
    const libraries: LinkLibrary[] = [];
    for (const k of candidates) {
      const symbols = candidateSymbols.get(k)?.find((s) => s.arch === slice.arch);
      if (symbols !== undefined) libraries.push({ kext: k, exports: libraryExports(k, symbols) });
    }
    const kpis = kernelLibraries(libraries, slice.arch, kernel, options);
    if (typeof kpis === "string") { io.stderr(kpis); return EX_NOINPUT; }
    // Divergence from XNU: -v lists the libraries searched; kext_tools' -v raises its log level.
    if (a.verbose) {
      err(`${slice.arch}: searching ${kpis.length} librar${kpis.length === 1 ? "y" : "ies"}\n`);
      for (const l of kpis) err(`    ${l.kext.path}\n`);
    }
    results.push({ arch: slice.arch, deps: findLinkDependencies(slice.undefinedSymbols, kpis) });
  }

  let status: number = kKextlibsExit.OK;
  const version = (k: LinkLibraryKext): string => OSKextVersionGetString(a.compatible ? k.compatibleVersion : k.version);
  // The symbol report is printed once when every architecture gives the same one.
  const reports = results.map((r) => symbolReport(r.deps, a, version).join(""));
  if (reports.every((r) => r === reports[0])) {
    if (reports[0]) err(`For all architectures:\n${reports[0]}`);
  } else {
    results.forEach((r, i) => { if (reports[i]) err(`For ${r.arch}:\n${reports[i]}`); });
  }
  for (const { deps } of results) {
    if (deps.undefinedSymbols.length > 0) status = Math.max(status, kKextlibsExit.Undefineds);
    if (deps.multdefSymbols.size > 0) status = Math.max(status, kKextlibsExit.Multiples);
  }

  const same = results.every((r) => sameLibraries(r.deps.libraries, results[0]!.deps.libraries));
  if (same) {
    io.stdout(formatLibraries(results[0]?.deps.libraries ?? [], undefined, a.xml, version));
  } else {
    for (const { arch, deps } of results) {
      if (!a.xml) io.stdout(`For ${arch}:\n`);
      io.stdout(formatLibraries(deps.libraries, arch, a.xml, version));
    }
  }
  return status;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The standard-error report for one architecture, in Apple's wording. */
function symbolReport(deps: LinkDependencies, a: Args, version: (k: LinkLibraryKext) => string): string[] {
  const out: string[] = [];
  const n = deps.undefinedSymbols.length;
  if (n > 0) {
    out.push(`    ${plural(n, "symbol")} not found in any library kext${a.undef ? ":" : "."}\n`);
    if (a.undef) for (const s of deps.undefinedSymbols) out.push(`\t${s}\n`);
  }
  if (a.onedef) {
    for (const [s, k] of deps.onedefSymbols) out.push(`    ${s} in ${k.path} (${version(k)})\n`);
  }
  if (deps.multdefSymbols.size > 0) {
    if (a.multdef) {
      out.push(`    ${plural(deps.multdefSymbols.size, "symbol")} found in more than one library kext:\n`);
      for (const [s, ks] of deps.multdefSymbols) {
        out.push(`    ${s}: in\n`);
        for (const k of ks) out.push(`        ${k.path} (${version(k)})\n`);
      }
    } else {
      const libs = new Set<LinkLibraryKext>();
      for (const ks of deps.multdefSymbols.values()) for (const k of ks) libs.add(k);
      out.push(`    Multiple symbols found among ${libs.size} libraries:\n`);
      for (const id of new Set([...libs].map((k) => k.bundleID ?? k.path))) out.push(`\t${id}\n`);
    }
  }
  return out;
}

function sameLibraries(x: readonly LinkLibraryKext[], y: readonly LinkLibraryKext[]): boolean {
  // By identity for kexts; a KPI symbol set is decoded per architecture, so compare where it is from.
  return x.length === y.length && x.every((k, i) => k === y[i] || (k.path === y[i]?.path && k.version === y[i]?.version));
}

/** Plain `    id = version` lines, or the `OSBundleLibraries[_arch]` XML fragment. */
export function formatLibraries(
  libs: readonly LinkLibraryKext[], arch: string | undefined, xml: boolean, version: (k: LinkLibraryKext) => string,
): string {
  if (xml) {
    if (libs.length === 0) return "";
    let s = `\t<key>OSBundleLibraries${arch === undefined ? "" : `_${arch}`}</key>\n\t<dict>\n`;
    for (const k of libs) s += `\t\t<key>${xmlText(k.bundleID ?? "")}</key>\n\t\t<string>${xmlText(version(k))}</string>\n`;
    return `${s}\t</dict>\n`;
  }
  if (libs.length === 0) return "    No libraries found.\n";
  return libs.map((k) => `    ${k.bundleID} = ${version(k)}\n`).join("");
}

function xmlText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
