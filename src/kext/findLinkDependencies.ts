/**
 * Which library kexts a kext must declare in `OSBundleLibraries`: the question `kextlibs` answers
 * (IOKitUser's `OSKextFindLinkDependencies`), as pure functions over symbol tables.
 *
 * Mechanism: the kext's executable, per architecture, references undefined external symbols. Every
 * searchable library kext exports the defined external symbols of its own executable's slice for
 * that architecture. An interface kext — the kernel's `com.apple.kpi.*` pseudo-kexts in the
 * System.kext of a macOS install or a KDK — has a symbol-set executable instead (what xnu's
 * kextsymboltool writes: an MH_KEXT_BUNDLE with only `__LINKEDIT`, each exported name an
 * `N_UNDF|N_EXT` entry resolved against the kernel, or `N_INDR|N_EXT` for an alias): there every
 * external entry is an export. Each undefined symbol lands in
 * exactly one bucket: undefined (no library defines it), one definition, or several. Every library
 * that defines at least one of the symbols is part of the answer, sorted by bundle identifier.
 *
 * State: none; callers read the executables (host) and pass bytes in.
 */
import { MachOFormatError, isDefined, isExternal, isUndefined, openMachO, parseSlice, readSymbols } from "../formats/index.ts";
import type { OSKextVersion } from "../libkern/index.ts";
import type { OSKext } from "./OSKext.ts";

/** One architecture's symbol facts for a kext executable. */
export interface KextArchSymbols {
  readonly arch: string;
  /** Undefined external symbols the executable references (sorted, unique). */
  readonly undefinedSymbols: readonly string[];
  /** Defined external (exported) symbols. */
  readonly definedSymbols: ReadonlySet<string>;
}

/**
 * The symbols a library exports for one architecture: its defined externals, or for an interface
 * kext (symbol set) every external entry, undefined ones included.
 */
export function libraryExports(kext: OSKext, symbols: KextArchSymbols): ReadonlySet<string> {
  if (!kext.isInterface) return symbols.definedSymbols;
  return new Set([...symbols.definedSymbols, ...symbols.undefinedSymbols]);
}

/**
 * Reads the per-architecture undefined and exported symbols of a Mach-O executable (thin or fat).
 * Throws {@link MachOFormatError} when the bytes are not Mach-O.
 */
export function readKextSymbols(bytes: Uint8Array): KextArchSymbols[] {
  const file = openMachO(bytes);
  const out: KextArchSymbols[] = [];
  file.slices.forEach((slice, i) => {
    const image = parseSlice(file, i);
    const undef = new Set<string>();
    const defined = new Set<string>();
    for (const s of readSymbols(image)) {
      if (s.name === undefined || !isExternal(s)) continue;
      if (isUndefined(s)) undef.add(s.name);
      else if (isDefined(s)) defined.add(s.name);
    }
    out.push({ arch: slice.archName ?? `cputype ${slice.cputype}`, undefinedSymbols: [...undef].sort(), definedSymbols: defined });
  });
  return out;
}

/**
 * What the answer needs to know of a library: an {@link OSKext}, or a kernel KPI symbol set
 * (kext/kpi) standing for a System.kext plug-in that is not on disk.
 */
export interface LinkLibraryKext {
  readonly bundleID: string | undefined;
  readonly path: string;
  readonly version: OSKextVersion;
  readonly compatibleVersion: OSKextVersion;
}

/** A library kext as searched for one architecture. */
export interface LinkLibrary<K extends LinkLibraryKext = LinkLibraryKext> {
  readonly kext: K;
  /** The symbols its executable exports for the architecture being resolved. */
  readonly exports: ReadonlySet<string>;
  /** `prefix*` exports of a KPI symbol set: every symbol with one of these prefixes. */
  readonly prefixes?: readonly string[];
}

/** The answer for one architecture. */
export interface LinkDependencies<K extends LinkLibraryKext = LinkLibraryKext> {
  /** Libraries defining at least one referenced symbol, sorted by bundle identifier (then path). */
  readonly libraries: readonly K[];
  /** Symbols no library defines, sorted. */
  readonly undefinedSymbols: readonly string[];
  /** Symbol → its single definer, in symbol order. */
  readonly onedefSymbols: ReadonlyMap<string, K>;
  /** Symbol → its several definers (sorted like `libraries`), in symbol order. */
  readonly multdefSymbols: ReadonlyMap<string, readonly K[]>;
}

/** Which libraries may satisfy a kext's references (kextlibs' filter). */
export interface SearchableLibraryOptions {
  /** `-non-kpi`: search `com.apple.kernel.*` and not `com.apple.kpi.*`. */
  readonly nonKPI?: boolean;
  /** `-unsupported`: also search the unsupported/private KPIs. */
  readonly unsupported?: boolean;
}

/** KPIs that only `-unsupported` lets a kext link against. */
export const UNSUPPORTED_KPI_IDS: ReadonlySet<string> = new Set([
  "com.apple.kernel.unsupported", "com.apple.kpi.unsupported", "com.apple.kpi.private", "com.apple.kpi.dsep",
]);

/**
 * True when `candidate` may be searched for `kext`'s symbols: a library (compatible version > 0)
 * with an executable, not the kext itself, and not excluded by the KPI options.
 */
export function isSearchableLibrary(candidate: OSKext, kext: OSKext, options: SearchableLibraryOptions = {}): boolean {
  const id = candidate.bundleID;
  if (id === undefined || candidate === kext || candidate.path === kext.path) return false;
  if (!candidate.isLibrary || !candidate.declaresExecutable) return false;
  return isSearchableLibraryID(id, options);
}

/** The bundle-identifier part of {@link isSearchableLibrary}: the KPI options' exclusions. */
export function isSearchableLibraryID(id: string, options: SearchableLibraryOptions = {}): boolean {
  if (options.nonKPI === true ? id.startsWith("com.apple.kpi.") : id.startsWith("com.apple.kernel.")) return false;
  return options.unsupported === true || !UNSUPPORTED_KPI_IDS.has(id);
}

function compareKexts(a: LinkLibraryKext, b: LinkLibraryKext): number {
  const x = a.bundleID ?? "", y = b.bundleID ?? "";
  if (x !== y) return x < y ? -1 : 1;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Resolves `undefinedSymbols` against `libraries` for one architecture. */
export function findLinkDependencies<K extends LinkLibraryKext>(
  undefinedSymbols: Iterable<string>, libraries: readonly LinkLibrary<K>[],
): LinkDependencies<K> {
  const sorted = [...libraries].sort((a, b) => compareKexts(a.kext, b.kext));
  const used = new Set<K>();
  const undef: string[] = [];
  const onedef = new Map<string, K>();
  const multdef = new Map<string, K[]>();
  const exports = (l: LinkLibrary<K>, sym: string): boolean => l.exports.has(sym) || (l.prefixes?.some((p) => sym.startsWith(p)) ?? false);
  for (const sym of [...new Set(undefinedSymbols)].sort()) {
    const definers = sorted.filter((l) => exports(l, sym)).map((l) => l.kext);
    for (const k of definers) used.add(k);
    if (definers.length === 0) undef.push(sym);
    else if (definers.length === 1) onedef.set(sym, definers[0]!);
    else multdef.set(sym, definers);
  }
  return {
    libraries: sorted.map((l) => l.kext).filter((k) => used.has(k)),
    undefinedSymbols: undef, onedefSymbols: onedef, multdefSymbols: multdef,
  };
}

/** True when `bytes` is a Mach-O file we can read symbols from (false for JavaScript executables etc.). */
export function tryReadKextSymbols(bytes: Uint8Array): KextArchSymbols[] | undefined {
  try {
    return readKextSymbols(bytes);
  } catch (e) {
    if (e instanceof MachOFormatError) return undefined;
    throw e;
  }
}
