/**
 * Bad kexts on disk given to the runtime: each load fails with a kOSKextReturn code and one kernel
 * log line naming the bundle path and the key at fault; nothing is half loaded and nothing throws.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kOSKextReturn } from "../base/index.ts";
import { IOKernel, OSMetaClass } from "../kernel/index.ts";
import { KextRuntime, KextSet, readKextsInFolder, type OSKext } from "../kext/index.ts";
import { recordingModule, writeJsKextFolder, type JsKextSpec } from "../../test/support/jsKextFixtures.ts";
import { FsBundleSource, importKextModule } from "./index.ts";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const LIBS = { "com.apple.kpi.libkern": "9.0" };

async function runtimeFor(specs: JsKextSpec[], mangle?: (paths: Map<string, string>) => void) {
  const { dir, paths } = writeJsKextFolder(specs);
  mangle?.(paths);
  const set = new KextSet(await readKextsInFolder(new FsBundleSource(), dir));
  const rt = new KextRuntime(set, importKextModule);
  const kernel = new IOKernel({ kextLoader: rt });
  rt.attachKernel(kernel);
  return { rt, kernel, set, paths };
}

/** Loads the kext at `path`; checks the code, the log line and that nothing changed. */
async function expectRefused(rt: KextRuntime, kernel: IOKernel, kext: OSKext, code: number, logged: RegExp): Promise<void> {
  const before = [rt.loadedKexts().map((k) => k.bundleID), [...kernel.catalogue.personalities()].length, OSMetaClass.all(kernel.registry).length];
  expect(await rt.load(kext)).toBe(code);
  expect([rt.loadedKexts().map((k) => k.bundleID), [...kernel.catalogue.personalities()].length, OSMetaClass.all(kernel.registry).length]).toEqual(before);
  expect(kernel.logRing.texts().join("\n")).toMatch(logged);
}

describe("KextRuntime on bad kexts", () => {
  it("malformed Info.plist, wrong key types, out-of-range versions, missing executable: kOSKextReturnNotLoadable naming path and key", async () => {
    const { rt, kernel, set, paths } = await runtimeFor([
      { id: "com.example.bad.Malformed", code: recordingModule("m") },
      { id: "com.example.bad.Types", info: { OSBundleLibraries: ["com.apple.kpi.libkern"] as unknown as string }, code: recordingModule("t") },
      { id: "com.example.bad.Version", info: { CFBundleVersion: "1.0.99999", OSBundleLibraries: LIBS }, code: recordingModule("v") },
      { id: "com.example.bad.NoExe", info: { CFBundleExecutable: "Gone.mjs", OSBundleLibraries: LIBS } },
    ], (p) => writeFileSync(join(p.get("com.example.bad.Malformed") as string, "Contents", "Info.plist"), "<plist><dict><key>CFBundleIdentifier</key><string>x</dict></plist>"));
    const at = (id: string): OSKext => set.withPath(paths.get(id) as string) as OSKext;
    const nl = kOSKextReturn.NotLoadable as number;
    await expectRefused(rt, kernel, at("com.example.bad.Malformed"), nl, /is not loadable - Can't parse info dictionary XML: Contents\/Info\.plist.*\(.*Malformed\.kext\)/);
    await expectRefused(rt, kernel, at("com.example.bad.Types"), nl, /com\.example\.bad\.Types is not loadable - Info dictionary property value is of illegal type: OSBundleLibraries - should be <dict> \(.*Types\.kext\)/);
    await expectRefused(rt, kernel, at("com.example.bad.Version"), nl, /com\.example\.bad\.Version is not loadable - Info dictionary property value is illegal: CFBundleVersion \(.*Version\.kext\)/);
    await expectRefused(rt, kernel, at("com.example.bad.NoExe"), nl, /com\.example\.bad\.NoExe is not loadable - Kext has a CFBundleExecutable property but the executable can't be found/);
  });

  it("a dependency cycle: kOSKextReturnDependencies with the kernel's loop message", async () => {
    const { rt, kernel, set, paths } = await runtimeFor([
      { id: "com.example.cyc.A", info: { OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { "com.example.cyc.B": "1.0", ...LIBS } }, code: recordingModule("a") },
      { id: "com.example.cyc.B", info: { OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { "com.example.cyc.A": "1.0", ...LIBS } }, code: recordingModule("b") },
    ]);
    await expectRefused(rt, kernel, set.withPath(paths.get("com.example.cyc.A") as string) as OSKext, kOSKextReturn.Dependencies as number,
      /Kext com\.example\.cyc\.A has a dependency loop; can't resolve dependencies\.\nKext com\.example\.cyc\.A can't resolve dependencies - .*com\.example\.cyc\.B/);
  });

  it("an unreadable executable: kOSKextReturnLinkError naming the file (skipped as root, where chmod 000 does not deny reads)", async (ctx) => {
    if (isRoot) {
      console.warn("skipping the unreadable-executable test: running as root, chmod 000 does not deny reads");
      ctx.skip();
    }
    const { rt, kernel, set, paths } = await runtimeFor([{ id: "com.example.bad.Locked", info: { OSBundleLibraries: LIBS }, code: recordingModule("l") }], (p) => {
      const exe = join(p.get("com.example.bad.Locked") as string, "Contents", "MacOS", "Locked.mjs");
      readFileSync(exe);
      chmodSync(exe, 0o000);
    });
    await expectRefused(rt, kernel, set.withPath(paths.get("com.example.bad.Locked") as string) as OSKext, kOSKextReturn.LinkError as number,
      /Kext com\.example\.bad\.Locked - executable failed to load: .*(EACCES|permission denied).*Locked\.mjs/i);
  });
});
