/**
 * Reading `.kext` bundles through a {@link BundleSource}.
 *
 * A deep (macOS) bundle is `Foo.kext/Contents/{Info.plist, MacOS/<executable>, Resources/…,
 * PlugIns/*.kext}`; a shallow one has `Info.plist` at its top. Plug-ins are read one level deep, as
 * the kext system does. A codeless kext (no `CFBundleExecutable`) is just an Info.plist.
 *
 * Reading never throws for a bad bundle: each problem becomes a diagnostic on the returned
 * {@link OSKext}, carrying the bundle path and the file or key. The walk uses an explicit stack and
 * does not follow symbolic links, so hostile trees cost time proportional to their size and no more.
 */
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../formats/index.ts";
import { isOSDictionary, type OSValue } from "../libkern/index.ts";
import { BundleSourceError, baseName, joinPath, trimPath, type BundleSource } from "./BundleSource.ts";
import { kernelVersionPlaceholders, substituteKernelVersion } from "./buildPlaceholders.ts";
import type { KextDiagnostic } from "./KextDiagnostic.ts";
import {
  kOSKextDiagnosticBadPropertyListXMLKey, kOSKextDiagnosticFileAccessKey, kOSKextDiagnosticFileNotFoundKey,
} from "./kextDiagnosticMessages.ts";
import { inspectKextMachO } from "./inspectKextExecutable.ts";
import { EXECUTABLE_HEADER_BYTES, classifyKextExecutable } from "./kextExecutable.ts";
import { OSKext, type KextBundleFile, type KextExecutable } from "./OSKext.ts";

/** Turns Info.plist bytes into a value; throws (a SyntaxError, ideally with a position) when it cannot. */
export type InfoPlistParser = (bytes: Uint8Array) => OSValue;

/** The parser used when none is given: binary (`bplist00`) or XML, told apart by the magic. */
export const defaultInfoPlistParser: InfoPlistParser = (bytes) =>
  isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);

export interface ReadKextOptions {
  /** The property-list parser; {@link defaultInfoPlistParser} when absent. */
  readonly parsePlist?: InfoPlistParser;
  /**
   * A kernel version (`18.7.0`) to substitute for xnu's `###KERNEL_VERSION_*###` placeholders, as
   * the kernel build does for System.kext and its plug-ins.
   */
  readonly kernelVersion?: string;
  /**
   * Read Mach-O executables whole and inspect them (kernel code per architecture, code signature,
   * symbol audit). Default true; repositories of many kexts may turn it off to read headers only.
   */
  readonly inspectExecutables?: boolean;
}

/** Reads the bundle at `path`. Never throws for bad input; see {@link OSKext.readDiagnostics}. */
export async function readKext(source: BundleSource, path: string, options: ReadKextOptions = {}): Promise<OSKext> {
  return readOne(source, trimPath(path), options, undefined);
}

async function readOne(source: BundleSource, path: string, options: ReadKextOptions, parentPath: string | undefined): Promise<OSKext> {
  const diags: KextDiagnostic[] = [];
  const diag = (message: string, subject?: string, code = "read"): void => {
    diags.push({ category: "validation", code, path, message, ...(subject !== undefined ? { subject } : {}) });
  };
  const files: KextBundleFile[] = [];
  const pluginPaths: string[] = [];
  const top = await safeStat(source, path);
  if (top === undefined) {
    diag(kOSKextDiagnosticFileNotFoundKey, path, "file-not-found");
    return new OSKext({ path, layout: "deep", info: undefined, files, executable: undefined, plugins: [], parentPath, readDiagnostics: diags });
  }
  const layout = (await safeStat(source, joinPath(path, "Contents")))?.type === "directory" ? "deep" : "shallow";
  const pluginsDir = layout === "deep" ? "Contents/PlugIns" : "PlugIns";

  // Walk the bundle, setting plug-ins aside.
  files.push({ relativePath: "", stat: top });
  const stack: string[] = top.type === "directory" ? [""] : [];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    let names: string[];
    try {
      names = (await source.readDir(joinPath(path, rel))).sort();
    } catch (e) {
      diag(kOSKextDiagnosticFileAccessKey, joinPath(path, rel), "file-access");
      void e;
      continue;
    }
    for (const name of names) {
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const st = await safeStat(source, joinPath(path, childRel));
      if (st === undefined) continue;
      if (rel === pluginsDir && name.endsWith(".kext") && st.type === "directory") {
        if (parentPath === undefined) pluginPaths.push(joinPath(path, childRel));
        continue;
      }
      files.push({ relativePath: childRel, stat: st });
      if (st.type === "directory") stack.push(childRel);
    }
  }
  files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));

  // Info.plist.
  const infoRel = layout === "deep" ? "Contents/Info.plist" : "Info.plist";
  let info: Map<string, OSValue> | undefined;
  const infoStat = files.find((f) => f.relativePath === infoRel)?.stat;
  if (infoStat === undefined) {
    diag(kOSKextDiagnosticFileNotFoundKey, infoRel, "info-plist-missing");
  } else {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await source.readFile(joinPath(path, infoRel));
    } catch (e) {
      diag(kOSKextDiagnosticFileAccessKey, `${infoRel} - ${errorText(e)}`, "file-access");
    }
    if (bytes !== undefined) {
      try {
        let value = (options.parsePlist ?? defaultInfoPlistParser)(bytes);
        const placeholders = options.kernelVersion !== undefined ? kernelVersionPlaceholders(options.kernelVersion) : undefined;
        if (placeholders !== undefined) value = substituteKernelVersion(value, placeholders);
        if (isOSDictionary(value)) info = value;
        else diag(kOSKextDiagnosticBadPropertyListXMLKey, `${infoRel} - the top-level value is not a dictionary`, "info-plist-syntax");
      } catch (e) {
        if (!(e instanceof Error) || e instanceof RangeError && /call stack/i.test(e.message)) throw e;
        diag(kOSKextDiagnosticBadPropertyListXMLKey, `${infoRel} - ${e.message}`, "info-plist-syntax");
      }
    }
  }

  // Executable.
  let executable: KextExecutable | undefined;
  const exeName = info?.get("CFBundleExecutable");
  if (typeof exeName === "string" && exeName.length > 0) {
    const relativePath = layout === "deep" ? `Contents/MacOS/${exeName}` : exeName;
    const st = files.find((f) => f.relativePath === relativePath)?.stat;
    if (st === undefined || st.type === "directory") {
      executable = { relativePath, found: false, kind: undefined, archs: [] };
    } else {
      try {
        const inspect = options.inspectExecutables !== false;
        const head = await source.readFile(joinPath(path, relativePath), inspect ? undefined : EXECUTABLE_HEADER_BYTES);
        const k = classifyKextExecutable(exeName, head);
        const id = info?.get("CFBundleIdentifier");
        executable = {
          relativePath, found: true, kind: k.kind, archs: k.archs,
          ...(inspect && k.kind === "macho" ? { macho: inspectKextMachO(head, typeof id === "string" ? id : undefined) } : {}),
        };
      } catch (e) {
        diag(kOSKextDiagnosticFileAccessKey, `${relativePath} - ${errorText(e)}`, "file-access");
        executable = { relativePath, found: true, kind: undefined, archs: [] };
      }
    }
  }

  const plugins: OSKext[] = [];
  for (const p of pluginPaths) plugins.push(await readOne(source, p, options, path));
  return new OSKext({ path, layout, info, files, executable, plugins, parentPath, readDiagnostics: diags });
}

async function safeStat(source: BundleSource, path: string) {
  try {
    return await source.stat(path);
  } catch {
    return undefined;
  }
}

function errorText(e: unknown): string {
  if (e instanceof BundleSourceError) return e.code;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Finds the kexts in a repository folder (`/Library/Extensions`, a `-r DIR`): every `*.kext` directly
 * inside it, plus their plug-ins. A folder that is itself a `.kext` yields just that kext.
 * Returns the kexts, plug-ins included, in path order.
 */
export async function readKextsInFolder(source: BundleSource, dir: string, options: ReadKextOptions = {}): Promise<OSKext[]> {
  const folder = trimPath(dir);
  if (baseName(folder).endsWith(".kext")) return flattenKexts([await readKext(source, folder, options)]);
  const names = (await source.readDir(folder)).filter((n) => n.endsWith(".kext")).sort();
  const out: OSKext[] = [];
  for (const n of names) {
    const st = await safeStat(source, joinPath(folder, n));
    if (st?.type !== "directory") continue;
    out.push(await readKext(source, joinPath(folder, n), options));
  }
  return flattenKexts(out);
}

/** A list of kexts followed by their plug-ins, each parent before its plug-ins. */
export function flattenKexts(kexts: readonly OSKext[]): OSKext[] {
  const out: OSKext[] = [];
  for (const k of kexts) out.push(k, ...k.plugins);
  return out;
}
