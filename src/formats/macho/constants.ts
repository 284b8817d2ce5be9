/**
 * Mach-O numbers from <mach-o/loader.h>, <mach-o/fat.h>, <mach-o/nlist.h> and <mach/machine.h>,
 * with the names Apple's headers give them, and the architecture names LLVM's tools print.
 */

export const FAT_MAGIC = 0xcafebabe;
export const FAT_MAGIC_64 = 0xcafebabf;
export const MH_MAGIC = 0xfeedface;
export const MH_CIGAM = 0xcefaedfe;
export const MH_MAGIC_64 = 0xfeedfacf;
export const MH_CIGAM_64 = 0xcffaedfe;

export const CPU_ARCH_ABI64 = 0x01000000;
export const CPU_ARCH_ABI64_32 = 0x02000000;
export const CPU_SUBTYPE_MASK = 0xff000000;

export const CPU_TYPE = {
  VAX: 1,
  MC680x0: 6,
  X86: 7,
  I386: 7,
  X86_64: 7 | CPU_ARCH_ABI64,
  MC98000: 10,
  HPPA: 11,
  ARM: 12,
  ARM64: 12 | CPU_ARCH_ABI64,
  ARM64_32: 12 | CPU_ARCH_ABI64_32,
  MC88000: 13,
  SPARC: 14,
  I860: 15,
  POWERPC: 18,
  POWERPC64: 18 | CPU_ARCH_ABI64,
} as const;

/** mach_header.filetype values. */
export const MH_FILETYPE = {
  MH_OBJECT: 0x1,
  MH_EXECUTE: 0x2,
  MH_FVMLIB: 0x3,
  MH_CORE: 0x4,
  MH_PRELOAD: 0x5,
  MH_DYLIB: 0x6,
  MH_DYLINKER: 0x7,
  MH_BUNDLE: 0x8,
  MH_DYLIB_STUB: 0x9,
  MH_DSYM: 0xa,
  MH_KEXT_BUNDLE: 0xb,
  MH_FILESET: 0xc,
  MH_GPU_EXECUTE: 0xd,
  MH_GPU_DYLIB: 0xe,
} as const;

const FILETYPE_NAMES = new Map<number, string>(Object.entries(MH_FILETYPE).map(([k, v]) => [v, k]));

/** `MH_EXECUTE` etc. for a filetype, or undefined. */
export function fileTypeName(filetype: number): string | undefined {
  return FILETYPE_NAMES.get(filetype);
}

/** mach_header.flags bits. */
export const MH_FLAGS = {
  MH_NOUNDEFS: 0x1,
  MH_INCRLINK: 0x2,
  MH_DYLDLINK: 0x4,
  MH_BINDATLOAD: 0x8,
  MH_PREBOUND: 0x10,
  MH_SPLIT_SEGS: 0x20,
  MH_LAZY_INIT: 0x40,
  MH_TWOLEVEL: 0x80,
  MH_FORCE_FLAT: 0x100,
  MH_NOMULTIDEFS: 0x200,
  MH_NOFIXPREBINDING: 0x400,
  MH_PREBINDABLE: 0x800,
  MH_ALLMODSBOUND: 0x1000,
  MH_SUBSECTIONS_VIA_SYMBOLS: 0x2000,
  MH_CANONICAL: 0x4000,
  MH_WEAK_DEFINES: 0x8000,
  MH_BINDS_TO_WEAK: 0x10000,
  MH_ALLOW_STACK_EXECUTION: 0x20000,
  MH_ROOT_SAFE: 0x40000,
  MH_SETUID_SAFE: 0x80000,
  MH_NO_REEXPORTED_DYLIBS: 0x100000,
  MH_PIE: 0x200000,
  MH_DEAD_STRIPPABLE_DYLIB: 0x400000,
  MH_HAS_TLV_DESCRIPTORS: 0x800000,
  MH_NO_HEAP_EXECUTION: 0x1000000,
  MH_APP_EXTENSION_SAFE: 0x2000000,
  MH_NLIST_OUTOFSYNC_WITH_DYLDINFO: 0x4000000,
  MH_SIM_SUPPORT: 0x8000000,
  MH_DYLIB_IN_CACHE: 0x80000000,
} as const;

export const LC_REQ_DYLD = 0x80000000;

/** Load command numbers. */
export const LC = {
  LC_SEGMENT: 0x1,
  LC_SYMTAB: 0x2,
  LC_SYMSEG: 0x3,
  LC_THREAD: 0x4,
  LC_UNIXTHREAD: 0x5,
  LC_LOADFVMLIB: 0x6,
  LC_IDFVMLIB: 0x7,
  LC_IDENT: 0x8,
  LC_FVMFILE: 0x9,
  LC_PREPAGE: 0xa,
  LC_DYSYMTAB: 0xb,
  LC_LOAD_DYLIB: 0xc,
  LC_ID_DYLIB: 0xd,
  LC_LOAD_DYLINKER: 0xe,
  LC_ID_DYLINKER: 0xf,
  LC_PREBOUND_DYLIB: 0x10,
  LC_ROUTINES: 0x11,
  LC_SUB_FRAMEWORK: 0x12,
  LC_SUB_UMBRELLA: 0x13,
  LC_SUB_CLIENT: 0x14,
  LC_SUB_LIBRARY: 0x15,
  LC_TWOLEVEL_HINTS: 0x16,
  LC_PREBIND_CKSUM: 0x17,
  LC_LOAD_WEAK_DYLIB: (0x18 | LC_REQ_DYLD) >>> 0,
  LC_SEGMENT_64: 0x19,
  LC_ROUTINES_64: 0x1a,
  LC_UUID: 0x1b,
  LC_RPATH: (0x1c | LC_REQ_DYLD) >>> 0,
  LC_CODE_SIGNATURE: 0x1d,
  LC_SEGMENT_SPLIT_INFO: 0x1e,
  LC_REEXPORT_DYLIB: (0x1f | LC_REQ_DYLD) >>> 0,
  LC_LAZY_LOAD_DYLIB: 0x20,
  LC_ENCRYPTION_INFO: 0x21,
  LC_DYLD_INFO: 0x22,
  LC_DYLD_INFO_ONLY: (0x22 | LC_REQ_DYLD) >>> 0,
  LC_LOAD_UPWARD_DYLIB: (0x23 | LC_REQ_DYLD) >>> 0,
  LC_VERSION_MIN_MACOSX: 0x24,
  LC_VERSION_MIN_IPHONEOS: 0x25,
  LC_FUNCTION_STARTS: 0x26,
  LC_DYLD_ENVIRONMENT: 0x27,
  LC_MAIN: (0x28 | LC_REQ_DYLD) >>> 0,
  LC_DATA_IN_CODE: 0x29,
  LC_SOURCE_VERSION: 0x2a,
  LC_DYLIB_CODE_SIGN_DRS: 0x2b,
  LC_ENCRYPTION_INFO_64: 0x2c,
  LC_LINKER_OPTION: 0x2d,
  LC_LINKER_OPTIMIZATION_HINT: 0x2e,
  LC_VERSION_MIN_TVOS: 0x2f,
  LC_VERSION_MIN_WATCHOS: 0x30,
  LC_NOTE: 0x31,
  LC_BUILD_VERSION: 0x32,
  LC_DYLD_EXPORTS_TRIE: (0x33 | LC_REQ_DYLD) >>> 0,
  LC_DYLD_CHAINED_FIXUPS: (0x34 | LC_REQ_DYLD) >>> 0,
  LC_FILESET_ENTRY: (0x35 | LC_REQ_DYLD) >>> 0,
  LC_ATOM_INFO: 0x36,
} as const;

const LC_NAMES = new Map<number, string>(Object.entries(LC).map(([k, v]) => [v, k]));

/** `LC_SEGMENT_64` etc. for a load command number, or undefined for an unknown one. */
export function loadCommandName(cmd: number): string | undefined {
  return LC_NAMES.get(cmd >>> 0);
}

/** nlist n_type bits and values. */
export const N_STAB = 0xe0;
export const N_PEXT = 0x10;
export const N_TYPE = 0x0e;
export const N_EXT = 0x01;
export const N_UNDF = 0x0;
export const N_ABS = 0x2;
export const N_SECT = 0xe;
export const N_PBUD = 0xc;
export const N_INDR = 0xa;

/** nlist n_desc bits. */
export const REFERENCE_TYPE = 0x7;
export const REFERENCE_FLAG_UNDEFINED_NON_LAZY = 0;
export const REFERENCE_FLAG_UNDEFINED_LAZY = 1;
export const REFERENCE_FLAG_DEFINED = 2;
export const REFERENCE_FLAG_PRIVATE_DEFINED = 3;
export const REFERENCE_FLAG_PRIVATE_UNDEFINED_NON_LAZY = 4;
export const REFERENCE_FLAG_PRIVATE_UNDEFINED_LAZY = 5;
export const REFERENCED_DYNAMICALLY = 0x10;
export const N_NO_DEAD_STRIP = 0x20;
export const N_DESC_DISCARDED = 0x20;
export const N_WEAK_REF = 0x40;
export const N_WEAK_DEF = 0x80;
export const N_REF_TO_WEAK = 0x80;
export const N_ARM_THUMB_DEF = 0x8;
export const N_SYMBOL_RESOLVER = 0x100;
export const N_ALT_ENTRY = 0x200;
export const N_COLD_FUNC = 0x400;
export const SELF_LIBRARY_ORDINAL = 0x0;
export const DYNAMIC_LOOKUP_ORDINAL = 0xfe;
export const EXECUTABLE_ORDINAL = 0xff;

/** The library ordinal kept in the high byte of n_desc (two-level namespace). */
export function getLibraryOrdinal(desc: number): number {
  return (desc >> 8) & 0xff;
}

/** Stab (debugging) n_type values, named as nm -a prints them. */
export const STAB_NAMES: ReadonlyMap<number, string> = new Map([
  [0x20, "GSYM"], [0x22, "FNAME"], [0x24, "FUN"], [0x26, "STSYM"], [0x28, "LCSYM"], [0x2e, "BNSYM"],
  [0x30, "PC"], [0x32, "AST"], [0x3c, "OPT"], [0x40, "RSYM"], [0x44, "SLINE"], [0x4e, "ENSYM"],
  [0x60, "SSYM"], [0x64, "SO"], [0x66, "OSO"], [0x80, "LSYM"], [0x82, "BINCL"], [0x84, "SOL"],
  [0x86, "PARAM"], [0x88, "VERS"], [0x8a, "OLEV"], [0xa0, "PSYM"], [0xa2, "EINCL"], [0xa4, "ENTRY"],
  [0xc0, "LBRAC"], [0xc2, "EXCL"], [0xe0, "RBRAC"], [0xe2, "BCOMM"], [0xe4, "ECOMM"], [0xe8, "ECOML"],
  [0xfe, "LENG"],
]);

/** Section type (flags & SECTION_TYPE) values. */
export const SECTION_TYPE = 0xff;
export const S_ZEROFILL = 0x1;
export const S_GB_ZEROFILL = 0xc;
export const S_THREAD_LOCAL_ZEROFILL = 0x12;
export const S_SYMBOL_STUBS = 0x8;
export const S_LAZY_SYMBOL_POINTERS = 0x7;
export const S_NON_LAZY_SYMBOL_POINTERS = 0x6;
export const S_LAZY_DYLIB_SYMBOL_POINTERS = 0x10;
export const S_THREAD_LOCAL_VARIABLE_POINTERS = 0x14;
export const S_ATTR_DEBUG = 0x02000000;

/** Build platforms (LC_BUILD_VERSION.platform). */
export const PLATFORM_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "macos"], [2, "ios"], [3, "tvos"], [4, "watchos"], [5, "bridgeos"], [6, "macCatalyst"],
  [7, "iossim"], [8, "tvossim"], [9, "watchossim"], [10, "driverkit"], [11, "xros"], [12, "xrsimulator"],
]);

/** Build tools (LC_BUILD_VERSION tool entries). */
export const TOOL_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "clang"], [2, "swift"], [3, "ld"], [4, "lld"],
]);
