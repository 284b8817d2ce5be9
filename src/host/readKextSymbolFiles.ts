/**
 * File reads behind the symbol tools (kextlibs, kextutil's trial link): a kext executable's
 * per-architecture symbols, and a kernel file named by `-kernel`.
 */
import { readFile } from "node:fs/promises";
import { joinPath, tryReadKextSymbols, type KextArchSymbols, type OSKext } from "../kext/index.ts";
// Type only: the host barrel must not pull the bundled KPI sets into every tool's chunk.
import type { KernelSource } from "../kext/kpi/index.ts";

/** The executable's per-architecture symbols, or undefined when it is missing, unreadable or not Mach-O. */
export async function readKextArchSymbols(kext: OSKext): Promise<KextArchSymbols[] | undefined> {
  const exe = kext.executable;
  if (exe === undefined || !exe.found || exe.kind !== "macho") return undefined;
  try {
    return tryReadKextSymbols(new Uint8Array(await readFile(joinPath(kext.path, exe.relativePath))));
  } catch {
    return undefined;
  }
}

/** Reads the kernel file, or returns the one-line message to print. */
export async function loadKernel(path: string): Promise<KernelSource | string> {
  try {
    return { path, bytes: new Uint8Array(await readFile(path)), sets: new Map() };
  } catch (e) {
    return `Can't read kernel file ${path} - ${(e as Error).message}.\n`;
  }
}
