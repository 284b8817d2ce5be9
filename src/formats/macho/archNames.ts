/**
 * Architecture names as LLVM's Mach-O tools print them (`MachOObjectFile::getArchTriple`'s arch
 * flag): `i386`, `x86_64`, `x86_64h`, `armv7`…, `arm64`, `arm64e`, `arm64_32`, `ppc`, `ppc64`.
 * A cputype/subtype pair LLVM does not name has no flag; llvm-lipo then prints
 * `unknown(cputype,subtype)` and llvm-nm/llvm-otool print the file name without an architecture.
 * (Apple's own tools know more names, e.g. `ppc7400`; LLVM's are what this mirrors.)
 */
import { CPU_SUBTYPE_MASK, CPU_TYPE } from "./constants.ts";

const ARM_SUBTYPES = new Map<number, string>([
  [5, "armv4t"], [7, "armv5e"], [8, "xscale"], [6, "armv6"], [14, "armv6m"], [9, "armv7"],
  [16, "armv7em"], [12, "armv7k"], [15, "armv7m"], [11, "armv7s"],
]);

/** LLVM's arch flag name for a cputype/cpusubtype, or undefined when LLVM has none. */
export function archFlagName(cputype: number, cpusubtype: number): string | undefined {
  const sub = (cpusubtype & ~CPU_SUBTYPE_MASK) >>> 0;
  switch (cputype >>> 0) {
    case CPU_TYPE.I386:
      return sub === 3 ? "i386" : undefined;
    case CPU_TYPE.X86_64:
      return sub === 3 ? "x86_64" : sub === 8 ? "x86_64h" : undefined;
    case CPU_TYPE.ARM:
      return ARM_SUBTYPES.get(sub);
    case CPU_TYPE.ARM64:
      return sub === 0 ? "arm64" : sub === 2 ? "arm64e" : undefined;
    case CPU_TYPE.ARM64_32:
      return sub === 1 ? "arm64_32" : undefined;
    case CPU_TYPE.POWERPC:
      return sub === 0 ? "ppc" : undefined;
    case CPU_TYPE.POWERPC64:
      return sub === 0 ? "ppc64" : undefined;
    default:
      return undefined;
  }
}

/** The name llvm-lipo prints: the arch flag, or `unknown(cputype,subtype)`. */
export function lipoArchName(cputype: number, cpusubtype: number): string {
  return archFlagName(cputype, cpusubtype) ?? `unknown(${cputype | 0},${(cpusubtype & ~CPU_SUBTYPE_MASK) >>> 0})`;
}

const BY_NAME = new Map<string, { cputype: number; cpusubtype: number }>([
  ["i386", { cputype: CPU_TYPE.I386, cpusubtype: 3 }],
  ["x86_64", { cputype: CPU_TYPE.X86_64, cpusubtype: 3 }],
  ["x86_64h", { cputype: CPU_TYPE.X86_64, cpusubtype: 8 }],
  ["arm64", { cputype: CPU_TYPE.ARM64, cpusubtype: 0 }],
  ["arm64e", { cputype: CPU_TYPE.ARM64, cpusubtype: 2 }],
  ["arm64_32", { cputype: CPU_TYPE.ARM64_32, cpusubtype: 1 }],
  ["ppc", { cputype: CPU_TYPE.POWERPC, cpusubtype: 0 }],
  ["ppc64", { cputype: CPU_TYPE.POWERPC64, cpusubtype: 0 }],
  ["arm", { cputype: CPU_TYPE.ARM, cpusubtype: 0 }],
  ...[...ARM_SUBTYPES].map(([sub, name]) => [name, { cputype: CPU_TYPE.ARM, cpusubtype: sub }] as const),
]);

/** The cputype/subtype for an LLVM arch flag name (`-arch x86_64`), or undefined. */
export function archFromName(name: string): { cputype: number; cpusubtype: number } | undefined {
  return BY_NAME.get(name);
}
