/**
 * The kernel's KPI symbol sets: which kernel symbols each `com.apple.kpi.*` pseudo-kext exports.
 *
 * A kext never links against the kernel as a whole; it declares KPI pseudo-kexts (System.kext's
 * plug-ins: com.apple.kpi.iokit, libkern, mach, bsd, dsep, unsupported, private) and may use only
 * the symbols their symbol sets export. xnu generates the sets from its config/*.exports lists:
 * each entry is a name, `name:target` (an alias the linker resolves to `target` in the kernel), or
 * `prefix*` (every kernel symbol starting with `prefix`). A set carries the plug-in's bundle
 * identifier, CFBundleVersion (the kernel's version) and OSBundleCompatibleVersion.
 *
 * Three sources give the same shape: the sets bundled with iokit-ts (generated from xnu's lists,
 * see kpiSymbolSetData.ts), the `__LINKINFO,__symbolsets` plist a Big Sur or later kernel embeds
 * (readKernelSymbolSets.ts), or a pre-Big Sur kernel's own symbol table filtered through the
 * bundled lists. State: immutable values.
 */
import { OSKextParseVersionString, type OSKextVersion, type OSValue, isOSDictionary } from "../../libkern/index.ts";
import { KPI_SYMBOL_SET_DATA, KPI_XNU_RELEASE } from "./kpiSymbolSetData.ts";

/** One System.kext plug-in's data as generated (entries front-coded, see scripts/buildKpiSymbolSets.ts). */
export interface KpiSymbolSetData {
  readonly component: string;
  readonly bundleID: string;
  readonly compatibleVersion: string;
  readonly common: string;
  readonly x86_64: string;
  readonly arm64: string;
}

/** One KPI pseudo-kext's exports for one architecture. */
export interface KernelSymbolSet {
  readonly bundleID: string;
  /** Where the set comes from, printed by kextlibs' per-symbol reports. */
  readonly path: string;
  readonly version: OSKextVersion;
  readonly compatibleVersion: OSKextVersion;
  /** Exported names (aliases by their exported name). */
  readonly exports: ReadonlySet<string>;
  /** Exported name → the kernel symbol it aliases, for `name:target` entries. */
  readonly aliases: ReadonlyMap<string, string>;
  /** `prefix*` entries: any symbol with one of these prefixes is exported. */
  readonly prefixes: readonly string[];
}

/** One export-list entry, decoded. */
export interface KpiExportEntry {
  readonly name: string;
  readonly target?: string;
  readonly isPrefix: boolean;
}

/** Decodes one front-coded list (two base-36 digits of shared prefix, then the rest of the entry). */
export function decodeFrontCoded(text: string): string[] {
  if (text === "") return [];
  const out: string[] = [];
  let prev = "";
  for (const line of text.split("\n")) {
    const shared = parseInt(line.slice(0, 2), 36);
    prev = prev.slice(0, shared) + line.slice(2);
    out.push(prev);
  }
  return out;
}

/** Splits an export-list entry (`name`, `name:target`, `prefix*`). */
export function parseKpiExportEntry(entry: string): KpiExportEntry {
  const colon = entry.indexOf(":");
  if (colon >= 0) return { name: entry.slice(0, colon), target: entry.slice(colon + 1), isPrefix: false };
  if (entry.endsWith("*")) return { name: entry.slice(0, -1), isPrefix: true };
  return { name: entry, isPrefix: false };
}

/** Builds a set from decoded entries. */
export function makeKernelSymbolSet(
  init: { bundleID: string; path: string; version: OSKextVersion; compatibleVersion: OSKextVersion },
  entries: Iterable<KpiExportEntry>,
): KernelSymbolSet {
  const exports = new Set<string>();
  const aliases = new Map<string, string>();
  const prefixes: string[] = [];
  for (const e of entries) {
    if (e.isPrefix) { prefixes.push(e.name); continue; }
    exports.add(e.name);
    if (e.target !== undefined) aliases.set(e.name, e.target);
  }
  return { ...init, exports, aliases, prefixes };
}

/** True when `set` exports `symbol` (by name or through a `prefix*` entry). */
export function kernelSymbolSetExports(set: KernelSymbolSet, symbol: string): boolean {
  return set.exports.has(symbol) || set.prefixes.some((p) => symbol.startsWith(p));
}

/** The architecture family whose bundled data serves `arch` (arm64e → arm64, x86_64h → x86_64). */
export function kpiArchFamily(arch: string): "x86_64" | "arm64" | undefined {
  if (arch === "x86_64" || arch === "x86_64h") return "x86_64";
  if (arch === "arm64" || arch === "arm64e") return "arm64";
  return undefined;
}

/** The release the bundled sets describe, for messages and docs. */
export const BUNDLED_KPI_RELEASE: { readonly tag: string; readonly kernelVersion: string; readonly macOS: string; readonly commit: string } = KPI_XNU_RELEASE;

/** The pseudo path of a bundled set, as kextlibs prints it (`(xnu-7195.101.1)/System.kext/PlugIns/IOKit.kext`). */
function bundledPath(component: string): string {
  return `(${KPI_XNU_RELEASE.tag})/System.kext/PlugIns/${component}.kext`;
}

/** The bundled entries of one KPI for an architecture family, undecoded into entries. */
export function bundledKpiEntries(data: KpiSymbolSetData, family: "x86_64" | "arm64"): string[] {
  return [...decodeFrontCoded(data.common), ...decodeFrontCoded(data[family])];
}

/**
 * The KPI symbol sets bundled with iokit-ts for `arch` (generated from xnu's export lists), or
 * an empty list for an architecture they do not cover (i386, ppc, arm64_32…).
 */
export function bundledKernelSymbolSets(arch: string): KernelSymbolSet[] {
  const family = kpiArchFamily(arch);
  if (family === undefined) return [];
  const version = OSKextParseVersionString(KPI_XNU_RELEASE.kernelVersion);
  return KPI_SYMBOL_SET_DATA.map((d) => makeKernelSymbolSet(
    { bundleID: d.bundleID, path: bundledPath(d.component), version, compatibleVersion: OSKextParseVersionString(d.compatibleVersion) },
    bundledKpiEntries(d, family).map(parseKpiExportEntry),
  ));
}

/** The bundled KPI data (for building sets against a real kernel's symbol table). */
export function bundledKpiData(): readonly KpiSymbolSetData[] {
  return KPI_SYMBOL_SET_DATA;
}

/**
 * Reads the symbol sets of a kernel's `__LINKINFO,__symbolsets` plist: a dictionary whose
 * `SymbolsSets` array holds one dictionary per KPI (CFBundleIdentifier, CFBundleVersion,
 * OSBundleCompatibleVersion, Symbols: [{SymbolName, AliasTarget?} | {SymbolPrefix}]).
 * Returns undefined when the value does not have that shape.
 */
export function kernelSymbolSetsFromPlist(value: OSValue, source: string): KernelSymbolSet[] | undefined {
  if (!isOSDictionary(value)) return undefined;
  const list = value.get("SymbolsSets");
  if (!Array.isArray(list)) return undefined;
  const out: KernelSymbolSet[] = [];
  for (const item of list) {
    if (!isOSDictionary(item)) continue;
    const id = item.get("CFBundleIdentifier");
    const version = item.get("CFBundleVersion");
    const compatible = item.get("OSBundleCompatibleVersion");
    const symbols = item.get("Symbols");
    if (typeof id !== "string" || !Array.isArray(symbols)) continue;
    const entries: KpiExportEntry[] = [];
    for (const s of symbols) {
      if (!isOSDictionary(s)) continue;
      const name = s.get("SymbolName");
      const target = s.get("AliasTarget");
      const prefix = s.get("SymbolPrefix");
      if (typeof name === "string") entries.push({ name, ...(typeof target === "string" ? { target } : {}), isPrefix: false });
      else if (typeof prefix === "string") entries.push({ name: prefix, isPrefix: true });
    }
    out.push(makeKernelSymbolSet({
      bundleID: id, path: `${source}:${id}`,
      version: typeof version === "string" ? OSKextParseVersionString(version) : 0n,
      compatibleVersion: typeof compatible === "string" ? OSKextParseVersionString(compatible) : 0n,
    }, entries));
  }
  return out;
}
