/**
 * `iokit kextcache [options] DIR…`: builds the identifier and personality caches of extensions
 * folders (`KextIdentifiers.plist.gz`, `IOKitPersonalities_<arch>.ioplist.gz`) under
 * `<cache root>/Directories/<folder>/`, each written atomically (temporary file, fsync, rename) with
 * its mtime set to the folder's mtime + 1 s — the rule by which readers decide it is current.
 *
 * Ours: `-cache-root DIR` (default Apple's `/System/Library/Caches/com.apple.kext.caches`),
 * `-check` (report whether each folder's caches are current; exit 4 when any is not), and
 * `-kernel-version X.Y.Z` as in kextutil.
 *
 * Formats, as `_OSKextWriteCache` writes them: the identifier cache is a CF binary property list
 * (`bplist00`, `_kOSKextCacheFormatCFBinary`), the personality cache I/O Kit XML
 * (`_kOSKextCacheFormatIOXML`, what `.ioplist` names: IOCFSerialize output, which the kernel's
 * OSUnserializeXML reads); both gzip-compressed as zlib's `gzdopen`/`gzwrite` do (default level,
 * no file name, header mtime 0).
 */
import { mkdir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { serializeIOCFXML, writeBinaryPlist } from "../../formats/index.ts";
import {
  KextAnalyzer, buildIdentifierCache, buildPersonalityCache, isCacheableKext, kOSKextCacheRoot,
  kOSKextIdentifierCacheBasename, isValidKernelVersion, kextCacheDirectory, kextCacheFileName, kextCacheProblem,
} from "../../kext/index.ts";
import { FsBundleSource, checkToolPath, loadKextSet, writeFileAtomic, SYSTEM_EXTENSIONS_FOLDERS } from "../../host/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "build or check the identifier and personality caches of extensions folders (kextcache)";

/** `kextcache_main.h` exit codes. */
export const kKextcacheExit = { OK: 0, NotFound: 1, ArchNotFound: 2, KextBad: 3, Stale: 4, Unspecified: 11, Help: 33 } as const;
const EX_USAGE = 64;

const USAGE = `usage: kextcache [-arch ARCH] [-cache-root DIR] [-check] [-kernel-version X.Y.Z] [-system-caches] [DIR ...]
  -arch ARCH           personality cache architecture (default x86_64; repeatable)
  -cache-root DIR      where caches go (default ${kOSKextCacheRoot})
  -check               report whether the caches are current instead of building them
  -system-caches       the system extensions folders
  -kernel-version V    substitute xnu's ###KERNEL_VERSION_*### placeholders
`;

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, {
      short: "a:hq",
      long: [
        { name: "arch", hasArg: "required", id: "a" },
        { name: "cache-root", hasArg: "required" },
        { name: "check", hasArg: "none" },
        { name: "system-caches", hasArg: "none" },
        { name: "kernel-version", hasArg: "required" },
        { name: "help", hasArg: "none", id: "h" },
        { name: "quiet", hasArg: "none", id: "q" },
      ],
      permute: true,
    }, "kextcache");
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    io.stderr(`${e.message}\n${USAGE}`);
    return EX_USAGE;
  }
  const archs: string[] = [];
  let root = kOSKextCacheRoot;
  let check = false;
  let kernelVersion: string | undefined;
  const folders: string[] = [];
  for (const o of parsed.options) {
    const v = o.value as string;
    if (o.id === "h") { io.stderr(USAGE); return kKextcacheExit.Help; }
    if (o.id === "a") archs.push(v);
    if (o.id === "cache-root") root = resolve(io.cwd, v);
    if (o.id === "check") check = true;
    if (o.id === "system-caches") folders.push(...SYSTEM_EXTENSIONS_FOLDERS);
    if (o.id === "kernel-version") {
      if (!isValidKernelVersion(v)) {
        io.stderr(`kextcache: invalid kernel version '${v}'\n`);
        return EX_USAGE;
      }
      kernelVersion = v;
    }
  }
  for (const d of parsed.operands) {
    const bad = await checkToolPath(d, undefined, true);
    if (bad !== undefined) { io.stderr(`${bad.message}\n`); return bad.status; }
    folders.push(resolve(io.cwd, d));
  }
  if (folders.length === 0) {
    io.stderr(`kextcache: no extensions folders named\n${USAGE}`);
    return EX_USAGE;
  }
  if (archs.length === 0) archs.push("x86_64");
  let status: number = kKextcacheExit.OK;
  for (const folder of folders) {
    const s = check ? await checkFolder(folder, root, archs, io) : await buildFolder(folder, root, archs, kernelVersion, io);
    if (status === kKextcacheExit.OK) status = s;
  }
  return status;
}

function cachePaths(folder: string, root: string, archs: readonly string[]): string[] {
  const dir = kextCacheDirectory(root, folder);
  return [
    `${dir}/${kextCacheFileName(kOSKextIdentifierCacheBasename, undefined, ".plist.gz")}`,
    ...archs.map((a) => `${dir}/${kextCacheFileName("IOKitPersonalities", a, ".ioplist.gz")}`),
  ];
}

async function checkFolder(folder: string, root: string, archs: readonly string[], io: ToolIO): Promise<number> {
  const source = new FsBundleSource();
  const folderStat = await source.stat(folder);
  if (folderStat === undefined) return kKextcacheExit.NotFound;
  let status: number = kKextcacheExit.OK;
  for (const path of cachePaths(folder, root, archs)) {
    const problem = kextCacheProblem(await source.stat(path), folderStat.mtimeMs);
    switch (problem) {
      case undefined: io.stdout(`Cache file ${path} is up to date.\n`); continue;
      case "missing": io.stderr(`Cache file ${path} does not exist.\n`); break;
      case "owner": io.stderr(`Cache file ${path} - owner not root:wheel; not using.\n`); break;
      case "mode": io.stderr(`Cache file ${path} - permissions not 0644; not using.\n`); break;
      case "not-regular": io.stderr(`Cache file ${path} is not a regular file; not using.\n`); break;
      default: io.stderr(`Cache file ${path} is out of date; not using.\n`);
    }
    status = kKextcacheExit.Stale;
  }
  return status;
}

async function buildFolder(folder: string, root: string, archs: readonly string[], kernelVersion: string | undefined, io: ToolIO): Promise<number> {
  const before = await stat(folder);
  const loaded = await loadKextSet({ repositories: [folder], systemExtensions: false }, { kernelVersion });
  const kexts = [...loaded.set.all()];
  for (const k of kexts) if (!isCacheableKext(k)) io.stderr(`${k.path} is not valid; omitting.\n`);
  const analyzer = new KextAnalyzer(loaded.set, { qualify: false, skipAuthentication: true, skipDependencies: true });
  const valid = kexts.filter((k) => isCacheableKext(k) && !analyzer.validation(k).some((d) => d.category === "validation"));
  const after = await stat(folder);
  if (after.mtimeMs !== before.mtimeMs) {
    io.stderr(`Source item ${folder} has changed since starting; not saving cache file\n`);
    return kKextcacheExit.Stale;
  }
  const dir = kextCacheDirectory(root, folder);
  await mkdir(dir, { recursive: true });
  const mtimeSeconds = (before.mtimeMs + 1000) / 1000;
  const [identifierPath, ...personalityPaths] = cachePaths(folder, root, archs);
  const enc = new TextEncoder();
  await writeFileAtomic(identifierPath as string, gzipSync(writeBinaryPlist(buildIdentifierCache(kexts, folder))), { mode: 0o644, mtimeSeconds });
  for (const [i, arch] of archs.entries()) {
    const xml = serializeIOCFXML(buildPersonalityCache(valid, arch));
    await writeFileAtomic(personalityPaths[i] as string, gzipSync(enc.encode(xml)), { mode: 0o644, mtimeSeconds });
  }
  return kKextcacheExit.OK;
}
