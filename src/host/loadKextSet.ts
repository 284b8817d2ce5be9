/**
 * Builds the set of kexts a kext tool works from, the way `OSKextCreateKextsFromURLs` does for
 * Apple's tools: the system extensions folders (unless excluded), kexts named by path, repository
 * folders (`-r DIR`) and explicit dependencies (`-d KEXT`), each `.kext` with its plug-ins.
 */
import { existsSync } from "node:fs";
import { KextSet, flattenKexts, readKext, readKextsInFolder, type OSKext, type ReadKextOptions } from "../kext/index.ts";
import { FsBundleSource } from "./FsBundleSource.ts";

/** Apple's system extensions folders, in search order. */
export const SYSTEM_EXTENSIONS_FOLDERS = ["/System/Library/Extensions", "/Library/Extensions"] as const;

export interface KextSetSources {
  /** Kext bundles named on the command line (read first: they win ties). */
  readonly kexts?: readonly string[];
  readonly repositories?: readonly string[];
  readonly dependencies?: readonly string[];
  /** Include the system extensions folders that exist on this machine (default true). */
  readonly systemExtensions?: boolean;
}

export interface LoadedKextSet {
  readonly set: KextSet;
  /** The named kexts, in command-line order. */
  readonly named: readonly OSKext[];
  /** Folders that could not be listed, with the error text. */
  readonly unreadable: ReadonlyArray<{ path: string; error: string }>;
}

/** Reads every source into one {@link KextSet}. */
export async function loadKextSet(sources: KextSetSources, options: ReadKextOptions = {}): Promise<LoadedKextSet> {
  const fs = new FsBundleSource();
  const set = new KextSet();
  const named: OSKext[] = [];
  const unreadable: Array<{ path: string; error: string }> = [];
  const folders = [
    ...(sources.systemExtensions === false ? [] : SYSTEM_EXTENSIONS_FOLDERS.filter((f) => existsSync(f))),
  ];
  for (const path of sources.kexts ?? []) {
    const k = await readKext(fs, path, options);
    named.push(k);
    for (const x of flattenKexts([k])) set.add(x);
  }
  // Folders may hold hundreds of kexts: their executables are judged by header unless asked.
  const folderOptions = { ...options, inspectExecutables: options.inspectExecutables ?? false };
  for (const path of [...folders, ...(sources.repositories ?? [])]) {
    try {
      for (const k of await readKextsInFolder(fs, path, folderOptions)) set.add(k);
    } catch (e) {
      unreadable.push({ path, error: e instanceof Error ? e.message : String(e) });
    }
  }
  for (const path of sources.dependencies ?? []) {
    for (const k of flattenKexts([await readKext(fs, path, options)])) set.add(k);
  }
  return { set, named, unreadable };
}
