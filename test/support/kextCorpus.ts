/**
 * Wraps the corpus's bare Info.plists (A_kext_infoplists) into `.kext` bundles in a temporary
 * folder, so kext tools can run on them as on real bundles: `Contents/Info.plist` plus, when the
 * plist declares `CFBundleExecutable`, a Mach-O header at `Contents/MacOS/<name>` (the name taken
 * literally, build variables and all). Apple's open-source kexts (families and xnu's pseudo-kexts)
 * go into one repository folder, everything else into another.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parseXMLPlist } from "../../src/formats/index.ts";
import { corpusFiles } from "./corpus.ts";
import { machOHeader } from "./kextFixtures.ts";

export interface WrappedCorpusKext {
  /** The corpus file. */
  readonly plist: string;
  /** `acidanthera`, `apple-oss`, `built-efi`, … */
  readonly group: string;
  /** The bundle made for it. */
  readonly bundle: string;
  /** The plist's CFBundleIdentifier when it is a string. */
  readonly id: string | undefined;
}

export interface WrappedCorpus {
  readonly root: string;
  /** Folder holding Apple's open-source kexts: the `-r` repository. */
  readonly repo: string;
  readonly kexts: readonly WrappedCorpusKext[];
}

/** Wraps every corpus kext plist; undefined when the corpus is absent. */
export function wrapCorpusKexts(): WrappedCorpus | undefined {
  const plists = corpusFiles("A_kext_infoplists", (p) => p.endsWith(".plist"));
  if (plists.length === 0) return undefined;
  const root = mkdtempSync(join(tmpdir(), "iokit-kext-corpus-"));
  const repo = join(root, "repo");
  const other = join(root, "other");
  mkdirSync(repo);
  mkdirSync(other);
  const kexts: WrappedCorpusKext[] = [];
  for (const plist of plists) {
    const group = basename(join(plist, ".."));
    const name = basename(plist).replace(/\.plist$/, "").replace(/\.kext$/, "").replace(/[^A-Za-z0-9_.-]/g, "_");
    const bundle = join(group === "apple-oss" ? repo : other, `${group}__${name}.kext`);
    const bytes = readFileSync(plist);
    mkdirSync(join(bundle, "Contents"), { recursive: true });
    writeFileSync(join(bundle, "Contents", "Info.plist"), bytes);
    let info: unknown;
    try {
      info = parseXMLPlist(new Uint8Array(bytes));
    } catch {
      info = undefined;
    }
    const dict = info instanceof Map ? info : undefined;
    const exe = dict?.get("CFBundleExecutable");
    if (typeof exe === "string" && exe.length > 0 && !exe.includes("/")) {
      mkdirSync(join(bundle, "Contents", "MacOS"), { recursive: true });
      writeFileSync(join(bundle, "Contents", "MacOS", exe), machOHeader(), { mode: 0o755 });
    }
    const id = dict?.get("CFBundleIdentifier");
    kexts.push({ plist, group, bundle, id: typeof id === "string" ? id : undefined });
  }
  return { root, repo, kexts };
}
