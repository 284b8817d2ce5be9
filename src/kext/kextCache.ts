/**
 * Per-folder kext caches (`_OSKextWriteCache`/`_OSKextReadCache`), as data.
 *
 * Two caches describe an extensions folder so the kext system need not open every bundle:
 *
 * - the identifier cache, `KextIdentifiers.plist.gz`: `OSKextIdentifierCacheVersion` = 2, the
 *   folder (`OSKextIdentifierCacheBasePath`) and, per kext, its essential info-dictionary keys plus
 *   `OSBundlePath` relative to the folder;
 * - the personality cache, `IOKitPersonalities_<arch>.ioplist.gz`: every valid kext's personalities
 *   as the catalogue receives them (`CFBundleIdentifier` filled in, `IOPersonalityPublisher` added
 *   when a personality names another bundle).
 *
 * Staleness is decided by time alone: a cache is used only if it is a regular root:wheel file with
 * mode exactly 0644 whose mtime is exactly one second after the newest source folder's mtime. The
 * writer stamps that mtime; any change to the folder (an added or removed kext) moves the folder's
 * mtime and makes the cache stale.
 */
import { OSNumber, isOSDictionary, type OSDictionary, type OSValue } from "../libkern/index.ts";
import type { BundleFileStat } from "./BundleSource.ts";
import { DEFAULT_KEXT_ARCH, type OSKext } from "./OSKext.ts";

/** `/System/Library/Caches/com.apple.kext.caches`: where Apple keeps kext caches. */
export const kOSKextCacheRoot = "/System/Library/Caches/com.apple.kext.caches";
export const kOSKextIdentifierCacheBasename = "KextIdentifiers";
export const kOSKextIdentifierCacheVersion = 2;

/** Keys copied into the identifier cache (arch-specific variants too). */
export const ESSENTIAL_INFO_KEYS = [
  "CFBundleIdentifier", "CFBundleVersion", "OSBundleCompatibleVersion", "OSBundleIsInterface", "OSKernelResource",
  "CFBundleExecutable", "OSBundleLibraries", "OSBundleRequired", "OSBundleAllowUserLoad", "OSBundleEnableKextLogging",
] as const;

/** The cache folder for an extensions folder: `<root>/Directories/<absolute folder path>`. */
export function kextCacheDirectory(root: string, absoluteFolder: string): string {
  return `${root.replace(/\/+$/, "")}/Directories/${absoluteFolder.replace(/^\/+/, "").replace(/\/+$/, "")}`;
}

/** File name of a cache: `<name>[_<arch>]<suffix>`. */
export function kextCacheFileName(name: string, arch: string | undefined, suffix: ".plist.gz" | ".ioplist.gz"): string {
  return `${name}${arch !== undefined ? `_${arch}` : ""}${suffix}`;
}

/** True when the kext can be described in a cache (string identifier and a valid version). */
export function isCacheableKext(k: OSKext): boolean {
  return k.bundleID !== undefined && k.bundleID.length > 0 && k.version > 0n;
}

/** The identifier cache's value for kexts found in `basePath`. */
export function buildIdentifierCache(kexts: readonly OSKext[], basePath: string): OSDictionary {
  const base = basePath.replace(/\/+$/, "");
  const infos: OSValue[] = [];
  for (const k of kexts) {
    if (k.info === undefined || !isCacheableKext(k)) continue;
    const entry: OSDictionary = new Map();
    entry.set("OSBundlePath", k.path.startsWith(`${base}/`) ? k.path.slice(base.length + 1) : k.path);
    for (const [key, value] of k.info) {
      const plain = key.replace(/_[A-Za-z0-9]+$/, "");
      if ((ESSENTIAL_INFO_KEYS as readonly string[]).includes(key) || ((plain.startsWith("OS") || plain.startsWith("IO")) && (ESSENTIAL_INFO_KEYS as readonly string[]).includes(plain))) {
        entry.set(key, value);
      }
    }
    infos.push(entry);
  }
  return new Map<string, OSValue>([
    ["OSKextIdentifierCacheVersion", new OSNumber(kOSKextIdentifierCacheVersion, 32)],
    ["OSKextIdentifierCacheBasePath", base],
    ["OSKextIdentifierCacheKextInfo", infos],
  ]);
}

/** The personalities `kexts` send to the catalogue for `arch`, in kext order then personality order. */
export function buildPersonalityCache(kexts: readonly OSKext[], arch: string = DEFAULT_KEXT_ARCH): OSValue[] {
  const out: OSValue[] = [];
  for (const k of kexts) {
    if (k.bundleID === undefined) continue;
    for (const p of k.personalities(arch).values()) {
      if (!isOSDictionary(p)) continue;
      const copy: OSDictionary = new Map(p);
      const named = copy.get("CFBundleIdentifier");
      if (named === undefined) copy.set("CFBundleIdentifier", k.bundleID);
      else if (named !== k.bundleID) copy.set("IOPersonalityPublisher", k.bundleID);
      out.push(copy);
    }
  }
  return out;
}

/** Why a cache file may not be used, or undefined when it is current. */
export function kextCacheProblem(cache: BundleFileStat | undefined, newestSourceMtimeMs: number): "missing" | "not-regular" | "owner" | "mode" | "out-of-date" | undefined {
  if (cache === undefined) return "missing";
  if (cache.type !== "file") return "not-regular";
  if (cache.uid !== 0 || cache.gid !== 0) return "owner";
  if (cache.mode !== 0o644) return "mode";
  // Compare in microseconds, the precision of the timevals Apple compares.
  if (Math.round(cache.mtimeMs * 1000) !== Math.round((newestSourceMtimeMs + 1000) * 1000)) return "out-of-date";
  return undefined;
}
