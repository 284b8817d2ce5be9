/**
 * A kext symbol audit, as kextutil's developer checks want it: a pure function from a kext
 * executable (fat or thin) and the kext's bundle identifier to diagnostics data.
 *
 * Checks:
 * - every global defined symbol carries a prefix derived from the bundle identifier (reverse-DNS
 *   with `.` → `_`, at least two components: `com_example` or longer), so that symbols of different
 *   kexts cannot collide in the kernel's single namespace. C++ symbols are checked on their
 *   demangled outermost class or namespace (`com_example_Driver::start(int)`, `vtable for
 *   com_example_Driver`). The kmod glue every kext links (`_kmod_info`, `__realmain`, …) is exempt.
 * - every required architecture is present;
 * - a release build carries no debugging symbols (N_STAB entries) and no `__DWARF` segment.
 *
 * State: none. Output order: per architecture, in symbol-table order.
 */
// In the kext layer rather than formats/macho, so that the Mach-O reader does not pull the C++
// demangler into every Mach-O tool's load (nm, otool, lipo start faster without it).
import {
  MachOFormatError, N_EXT, N_PEXT, N_STAB, archFlagName, describeSymbol, isDefined, openMachO, parseSlice, readSymbols,
  type MachOFile,
} from "../formats/index.ts";

export interface KextSymbolAuditOptions {
  /** CFBundleIdentifier of the kext, e.g. `com.example.driver.FooDriver`. */
  readonly bundleId: string;
  /** Architectures that must be present (`x86_64`, `arm64e`…). */
  readonly requiredArchitectures?: readonly string[];
  /** Check for debugging symbols (a release build should have none). */
  readonly release?: boolean;
  /** Extra symbol names (as in the symbol table) that need no prefix. */
  readonly exempt?: readonly string[];
}

export type KextSymbolDiagnosticKind = "unprefixed-global" | "missing-architecture" | "debug-symbols" | "dwarf-segment" | "malformed";

export interface KextSymbolDiagnostic {
  readonly kind: KextSymbolDiagnosticKind;
  /** Architecture the finding is about (absent for whole-file findings). */
  readonly arch?: string;
  readonly symbol?: string;
  readonly demangled?: string;
  readonly count?: number;
  readonly message: string;
}

export interface KextSymbolAudit {
  readonly architectures: readonly string[];
  /** The prefixes accepted for global symbols. */
  readonly prefixes: readonly string[];
  readonly diagnostics: readonly KextSymbolDiagnostic[];
}

/** Glue from libkmod and the kext build that every kext defines. */
export const KEXT_GLUE_SYMBOLS: ReadonlySet<string> = new Set([
  "_kmod_info", "__realmain", "__antimain", "__kext_apple_cc", "__start", "__stop",
  "_OSKextGetCurrentIdentifier", "_OSKextGetCurrentVersionString", "_OSKextGetCurrentLoadTag",
]);

/** The C prefixes a bundle id allows: `com_example`, `com_example_driver`, … (two components or more). */
export function symbolPrefixes(bundleId: string): string[] {
  const parts = bundleId.split(".").filter((p) => p !== "");
  const out: string[] = [];
  for (let n = Math.min(2, parts.length); n <= parts.length; n++) out.push(parts.slice(0, n).join("_").replace(/[^A-Za-z0-9_]/g, "_"));
  return out;
}

function hasPrefix(name: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => name.startsWith(p));
}

/** Audits a kext executable. Never throws on bad input: a malformed file yields a "malformed" diagnostic. */
export function auditKextSymbols(input: Uint8Array | MachOFile, options: KextSymbolAuditOptions): KextSymbolAudit {
  const prefixes = symbolPrefixes(options.bundleId);
  const diagnostics: KextSymbolDiagnostic[] = [];
  const exempt = new Set([...KEXT_GLUE_SYMBOLS, ...(options.exempt ?? [])]);
  let file: MachOFile;
  try {
    file = input instanceof Uint8Array ? openMachO(input) : input;
  } catch (e) {
    if (!(e instanceof MachOFormatError)) throw e;
    return { architectures: [], prefixes, diagnostics: [{ kind: "malformed", message: e.message }] };
  }
  const architectures = file.slices.map((s) => archFlagName(s.cputype, s.cpusubtype) ?? `cputype ${s.cputype}`);
  for (const want of options.requiredArchitectures ?? []) {
    if (!architectures.includes(want)) {
      diagnostics.push({ kind: "missing-architecture", arch: want, message: `executable does not contain code for architecture ${want}` });
    }
  }
  file.slices.forEach((_, index) => {
    const arch = architectures[index]!;
    let image;
    try {
      image = parseSlice(file, index);
    } catch (e) {
      if (!(e instanceof MachOFormatError)) throw e;
      diagnostics.push({ kind: "malformed", arch, message: e.message });
      return;
    }
    let stabs = 0;
    for (const s of readSymbols(image)) {
      if ((s.type & N_STAB) !== 0) {
        stabs++;
        continue;
      }
      if ((s.type & N_EXT) === 0 || (s.type & N_PEXT) !== 0 || !isDefined(s) || s.name === undefined) continue;
      if (exempt.has(s.name)) continue;
      const info = describeSymbol(s.name, { stripUnderscore: true });
      if (info !== undefined) {
        const owner = info.className ?? info.memberName ?? "";
        const outer = owner.split("::")[0] ?? "";
        if (!hasPrefix(outer, prefixes)) {
          diagnostics.push({ kind: "unprefixed-global", arch, symbol: s.name, demangled: info.demangled, message: `C++ symbol ${info.demangled} is not in a class or namespace prefixed with ${prefixes[0]}` });
        }
        continue;
      }
      const cName = s.name.startsWith("_") ? s.name.slice(1) : s.name;
      if (!hasPrefix(cName, prefixes)) {
        diagnostics.push({ kind: "unprefixed-global", arch, symbol: s.name, message: `global symbol ${s.name} does not start with ${prefixes[0]}` });
      }
    }
    if (options.release === true) {
      if (stabs > 0) diagnostics.push({ kind: "debug-symbols", arch, count: stabs, message: `${stabs} debugging symbol table entries (N_STAB) in a release build` });
      if (image.segments.some((seg) => seg.segname === "__DWARF") || image.sections.some((sec) => sec.segname === "__DWARF")) {
        diagnostics.push({ kind: "dwarf-segment", arch, message: "__DWARF debug information in a release build" });
      }
    }
  });
  return { architectures, prefixes, diagnostics };
}
