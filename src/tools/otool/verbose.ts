/**
 * The symbolic (-v) forms otool prints: the mach header with names (`MH_MAGIC_64   ARM64 ALL
 * 0x00 DYLIB … NOUNDEFS DYLDLINK`), segment protections as `r-x`, segment flags, section
 * types and attributes, build platforms and tools — in llvm-otool's spelling and column widths.
 */
import { CPU_SUBTYPE_MASK, CPU_TYPE, MH_FLAGS, MH_MAGIC, MH_MAGIC_64, type MachOImage } from "../../formats/index.ts";

const pad = (s: string | number, w: number): string => String(s).padStart(w, " ");
const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, "0");

const SUBTYPES: ReadonlyMap<number, [string, ReadonlyMap<number, string>]> = new Map([
  [CPU_TYPE.I386, ["    I386", new Map([[3, "        ALL"]])]],
  [CPU_TYPE.X86_64, ["  X86_64", new Map([[3, "        ALL"], [8, "    Haswell"]])]],
  [CPU_TYPE.ARM, ["     ARM", new Map([[0, "        ALL"], [5, "        V4T"], [7, "      V5TEJ"], [8, "     XSCALE"], [6, "         V6"], [14, "        V6M"], [9, "         V7"], [16, "       V7EM"], [12, "        V7K"], [15, "        V7M"], [11, "        V7S"]])]],
  [CPU_TYPE.ARM64, ["   ARM64", new Map([[0, "        ALL"], [1, "         V8"], [2, "          E"]])]],
  [CPU_TYPE.ARM64_32, [" ARM64_32", new Map([[1, "        V8"]])]],
  [CPU_TYPE.POWERPC, ["     PPC", new Map([[0, "        ALL"]])]],
  [CPU_TYPE.POWERPC64, ["   PPC64", new Map([[0, "        ALL"]])]],
]);

const FILETYPES = new Map<number, string>([
  [1, "      OBJECT"], [2, "     EXECUTE"], [3, "      FVMLIB"], [4, "        CORE"], [5, "     PRELOAD"], [6, "       DYLIB"],
  [9, "  DYLIB_STUB"], [7, "    DYLINKER"], [8, "      BUNDLE"], [10, "        DSYM"], [11, "  KEXTBUNDLE"], [12, "     FILESET"],
]);

const FLAG_ORDER: readonly [number, string][] = [
  [MH_FLAGS.MH_NOUNDEFS, "   NOUNDEFS"], [MH_FLAGS.MH_INCRLINK, " INCRLINK"], [MH_FLAGS.MH_DYLDLINK, " DYLDLINK"],
  [MH_FLAGS.MH_BINDATLOAD, " BINDATLOAD"], [MH_FLAGS.MH_PREBOUND, " PREBOUND"], [MH_FLAGS.MH_SPLIT_SEGS, " SPLIT_SEGS"],
  [MH_FLAGS.MH_LAZY_INIT, " LAZY_INIT"], [MH_FLAGS.MH_TWOLEVEL, " TWOLEVEL"], [MH_FLAGS.MH_FORCE_FLAT, " FORCE_FLAT"],
  [MH_FLAGS.MH_NOMULTIDEFS, " NOMULTIDEFS"], [MH_FLAGS.MH_NOFIXPREBINDING, " NOFIXPREBINDING"], [MH_FLAGS.MH_PREBINDABLE, " PREBINDABLE"],
  [MH_FLAGS.MH_ALLMODSBOUND, " ALLMODSBOUND"], [MH_FLAGS.MH_SUBSECTIONS_VIA_SYMBOLS, " SUBSECTIONS_VIA_SYMBOLS"],
  [MH_FLAGS.MH_CANONICAL, " CANONICAL"], [MH_FLAGS.MH_WEAK_DEFINES, " WEAK_DEFINES"], [MH_FLAGS.MH_BINDS_TO_WEAK, " BINDS_TO_WEAK"],
  [MH_FLAGS.MH_ALLOW_STACK_EXECUTION, " ALLOW_STACK_EXECUTION"], [MH_FLAGS.MH_DEAD_STRIPPABLE_DYLIB, " DEAD_STRIPPABLE_DYLIB"],
  [MH_FLAGS.MH_PIE, " PIE"], [MH_FLAGS.MH_NO_REEXPORTED_DYLIBS, " NO_REEXPORTED_DYLIBS"],
  [MH_FLAGS.MH_HAS_TLV_DESCRIPTORS, " MH_HAS_TLV_DESCRIPTORS"], [MH_FLAGS.MH_NO_HEAP_EXECUTION, " MH_NO_HEAP_EXECUTION"],
  [MH_FLAGS.MH_APP_EXTENSION_SAFE, " APP_EXTENSION_SAFE"], [MH_FLAGS.MH_NLIST_OUTOFSYNC_WITH_DYLDINFO, " NLIST_OUTOFSYNC_WITH_DYLDINFO"],
];

/** `otool -hv`. */
export function printMachHeaderVerbose(image: MachOImage): string {
  const h = image.header;
  let o = "Mach header\n      magic cputype cpusubtype  caps    filetype ncmds sizeofcmds      flags\n";
  o += h.magic === MH_MAGIC ? "   MH_MAGIC" : h.magic === MH_MAGIC_64 ? "MH_MAGIC_64" : ` 0x${hex8(h.magic)}`;
  const sub = (h.cpusubtype & ~CPU_SUBTYPE_MASK) >>> 0;
  const cpu = SUBTYPES.get(h.cputype);
  if (cpu !== undefined) o += cpu[0] + (cpu[1].get(sub) ?? ` ${pad(sub | 0, 10)}`);
  else o += ` ${pad(h.cputype | 0, 7)} ${pad(sub | 0, 10)}`;
  const caps = (h.cpusubtype & CPU_SUBTYPE_MASK) >>> 0;
  o += caps === 0x80000000 ? " LIB64" : `  0x${(caps >>> 24).toString(16).padStart(2, "0")}`;
  o += FILETYPES.get(h.filetype) ?? `  ${pad(h.filetype, 10)}`;
  o += ` ${pad(h.ncmds, 5)} ${pad(h.sizeofcmds, 10)}`;
  let f = h.flags >>> 0;
  for (const [bit, name] of FLAG_ORDER) {
    if (f & bit) {
      o += name;
      f = (f & ~bit) >>> 0;
    }
  }
  if (f !== 0 || h.flags === 0) o += ` 0x${hex8(f)}`;
  return `${o}\n`;
}

/** `r-x` or `?0x…` for a VM protection. */
export function protText(prot: number): string {
  if ((prot & ~7) !== 0) return `?0x${hex8(prot)}`;
  return `${prot & 1 ? "r" : "-"}${prot & 2 ? "w" : "-"}${prot & 4 ? "x" : "-"}`;
}

/** Segment flags, after "    flags". */
export function segmentFlagsText(flags: number): string {
  if (flags === 0) return " (none)\n";
  let f = flags >>> 0;
  let o = "";
  for (const [bit, name] of [[1, " HIGHVM"], [2, " FVMLIB"], [4, " NORELOC"], [8, " PROTECTED_VERSION_1"], [0x10, " SG_READ_ONLY"]] as const) {
    if (f & bit) {
      o += name;
      f &= ~bit;
    }
  }
  return f !== 0 ? `${o} 0x${hex8(f)} (unknown flags)\n` : `${o}\n`;
}

const SECTION_TYPES = [
  "S_REGULAR", "S_ZEROFILL", "S_CSTRING_LITERALS", "S_4BYTE_LITERALS", "S_8BYTE_LITERALS", "S_LITERAL_POINTERS",
  "S_NON_LAZY_SYMBOL_POINTERS", "S_LAZY_SYMBOL_POINTERS", "S_SYMBOL_STUBS", "S_MOD_INIT_FUNC_POINTERS",
  "S_MOD_TERM_FUNC_POINTERS", "S_COALESCED", undefined, "S_INTERPOSING", "S_16BYTE_LITERALS", "S_DTRACE_DOF",
  "S_LAZY_DYLIB_SYMBOL_POINTERS", "S_THREAD_LOCAL_REGULAR", "S_THREAD_LOCAL_ZEROFILL", "S_THREAD_LOCAL_VARIABLES",
  "S_THREAD_LOCAL_VARIABLE_POINTERS", "S_THREAD_LOCAL_INIT_FUNCTION_POINTERS",
];
const ATTRIBUTES: readonly [number, string][] = [
  [0x80000000, " PURE_INSTRUCTIONS"], [0x40000000, " NO_TOC"], [0x20000000, " STRIP_STATIC_SYMS"], [0x10000000, " NO_DEAD_STRIP"],
  [0x08000000, " LIVE_SUPPORT"], [0x04000000, " SELF_MODIFYING_CODE"], [0x02000000, " DEBUG"], [0x00000400, " SOME_INSTRUCTIONS"],
  [0x00000200, " EXT_RELOC"], [0x00000100, " LOC_RELOC"],
];

/** The `      type …` and `attributes …` lines of a section. */
export function sectionTypeLines(flags: number): string {
  const t = flags & 0xff;
  const name = SECTION_TYPES[t];
  let o = name !== undefined ? `      type ${name}\n` : `      type0x${hex8(t)}\n`;
  const attrs = (flags & 0xffffff00) >>> 0;
  o += "attributes";
  for (const [bit, n] of ATTRIBUTES) if ((attrs & bit) !== 0) o += n;
  if (attrs === 0) o += " (none)";
  return `${o}\n`;
}

const PLATFORMS = new Map<number, string>([
  [1, "macos"], [2, "ios"], [3, "tvos"], [4, "watchos"], [5, "bridgeos"], [6, "macCatalyst"], [7, "iossimulator"],
  [8, "tvossimulator"], [9, "watchossimulator"], [10, "driverkit"],
]);
const TOOLS = new Map<number, string>([[1, "clang"], [2, "swift"], [3, "ld"]]);

const hexName = (v: number): string => `0x${v.toString(16).padStart(8, "0")}`;
/** LLVM's name for a build platform. */
export const platformName = (p: number): string => PLATFORMS.get(p) ?? hexName(p);
/** LLVM's name for a build tool. */
export const toolName = (t: number): string => TOOLS.get(t) ?? hexName(t);
