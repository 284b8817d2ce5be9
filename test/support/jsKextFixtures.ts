/**
 * JavaScript kexts on disk for runtime tests: a folder holding the two KPI pseudo-kexts and any
 * number of kexts whose executable is an ES module (`Contents/MacOS/<name>.mjs`), per docs/kext.md.
 * Module code reports what it does through `globalThis.__kextEvents` (an array of strings).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PlainPlist, kextInfo, kpiInfo, tempDir, writeKext } from "./kextFixtures.ts";

/** One JavaScript kext: its Info.plist overrides and its module source. */
export interface JsKextSpec {
  readonly id: string;
  readonly info?: Record<string, PlainPlist | undefined>;
  /** The module's source; undefined for a codeless kext. */
  readonly code?: string;
  /** Files under Contents/Resources. */
  readonly resources?: Record<string, string>;
}

/** Events the test kexts recorded. */
export function kextEvents(): string[] {
  const g = globalThis as { __kextEvents?: string[] };
  g.__kextEvents ??= [];
  return g.__kextEvents;
}

/** Module source whose `start` records `<name> start` (`<name> start failed` unless it returns 0) and `stop` `<name> stop`. */
export function recordingModule(name: string, opts: { startResult?: number; classes?: string; extra?: string } = {}): string {
  return [
    "const ev = (globalThis.__kextEvents ??= []);",
    `export function start(kmod) { ev.push(${JSON.stringify(`${name} start${(opts.startResult ?? 0) === 0 ? "" : " failed"}`)}); ${opts.extra ?? ""} return ${opts.startResult ?? 0}; }`,
    `export function stop() { ev.push(${JSON.stringify(`${name} stop`)}); return 0; }`,
    opts.classes !== undefined ? `export function defineClasses(kpi) { ${opts.classes} }` : "",
    "",
  ].join("\n");
}

/** Writes a folder with the KPIs and `kexts`; returns the folder and each kext's bundle path by id. */
export function writeJsKextFolder(kexts: readonly JsKextSpec[], dir = tempDir("iokit-jskext-")): { dir: string; paths: Map<string, string> } {
  writeKext(join(dir, "IOKit.kext"), kpiInfo("com.apple.kpi.iokit", "18.7.0"));
  writeKext(join(dir, "Libkern.kext"), kpiInfo("com.apple.kpi.libkern", "18.7.0"));
  const paths = new Map<string, string>();
  for (const k of kexts) {
    const name = k.id.slice(k.id.lastIndexOf(".") + 1);
    const exe = k.code !== undefined ? `${name}.mjs` : undefined;
    const path = writeKext(join(dir, `${name}.kext`), kextInfo({
      CFBundleIdentifier: k.id, CFBundleExecutable: exe, IOKitPersonalities: undefined, ...k.info,
    }), { executable: false });
    if (k.code !== undefined) {
      mkdirSync(join(path, "Contents", "MacOS"), { recursive: true });
      writeFileSync(join(path, "Contents", "MacOS", exe as string), k.code);
    }
    for (const [rel, text] of Object.entries(k.resources ?? {})) {
      mkdirSync(join(path, "Contents", "Resources"), { recursive: true });
      writeFileSync(join(path, "Contents", "Resources", rel), text);
    }
    paths.set(k.id, path);
  }
  return { dir, paths };
}
