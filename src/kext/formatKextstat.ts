/**
 * `kextstat` output (kext_tools `kextstat_main.c`), from the runtime's loaded list.
 *
 * Header unless `-l`; one row per loaded kext by load tag (the kernel, tag 0, never printed):
 * `%5d` tag, ` %4d` refs, ` %#-18llx` address, ` %#-10x` size and wired, optional ` %-18s` arch,
 * ` %s (%s)` identifier and version, ` <uuid>` or ` no UUID`, then ` <t1 t2 …>` with the dependency
 * tags in descending order. `%#x` of 0 prints `0`, so interfaces show 0 in the number columns.
 * Divergence from XNU: JavaScript kexts have no load address, size or UUID here; they print 0 and
 * `no UUID` rather than invented values.
 */
import { OSKextVersionGetString } from "../libkern/index.ts";
import type { LoadedKext } from "./KextRuntime.ts";

export interface KextstatOptions {
  /** `-l`: no header. */
  readonly list?: boolean;
  /** `-k`: hide kernel components unless named with `-b`. */
  readonly hideKernelComponents?: boolean;
  /** `-b ID`: only these identifiers. */
  readonly bundleIDs?: readonly string[];
  /** `-a`: add the architecture column with this value. */
  readonly arch?: string;
}

const hex = (n: number): string => (n === 0 ? "0" : `0x${n.toString(16)}`);

export function formatKextstat(loaded: readonly LoadedKext[], options: KextstatOptions = {}): string {
  let out = "";
  if (!options.list) {
    out += `Index Refs Address    ${" ".repeat(8)}Size       Wired      ${options.arch !== undefined ? "Architecture       " : ""}Name (Version) UUID <Linked Against>\n`;
  }
  const rows = [...loaded].filter((k) => k.tag !== 0).sort((a, b) => a.tag - b.tag);
  for (const k of rows) {
    const named = options.bundleIDs?.includes(k.bundleID) ?? false;
    if (options.bundleIDs !== undefined && options.bundleIDs.length > 0 && !named) continue;
    if (options.hideKernelComponents && k.isKernelComponent && !named) continue;
    let line = `${String(k.tag).padStart(5)} ${String(k.refs).padStart(4)} ${hex(0).padEnd(18)} ${hex(0).padEnd(10)} ${hex(0).padEnd(10)}`;
    if (options.arch !== undefined) line += ` ${options.arch.padEnd(18)}`;
    line += ` ${k.bundleID} (${OSKextVersionGetString(k.version)}) no UUID`;
    if (k.dependencyTags.length > 0) line += ` <${[...k.dependencyTags].sort((a, b) => b - a).join(" ")}>`;
    out += `${line}\n`;
  }
  return out;
}
