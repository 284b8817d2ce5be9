import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addKext, kextInfo, kpiInfo, machOHeader, xmlPlist, type PlainPlist } from "../../test/support/kextFixtures.ts";
import { KextAnalyzer, KextSet, MemoryBundleSource, formatKextDiagnostics, readKext, readKextsInFolder } from "./index.ts";
import * as M from "./kextDiagnosticMessages.ts";

async function analyzeIn(src: MemoryBundleSource, path: string) {
  const set = new KextSet(await readKextsInFolder(src, "/R"));
  const k = set.withPath(path) ?? (await readKext(src, path));
  return new KextAnalyzer(set).analyze(k);
}

describe("KextAnalyzer", () => {
  it("marks a kext whose dependency has validation problems", async () => {
    const src = new MemoryBundleSource().addDir("/R");
    addKext(src, "/R/libkern.kext", kpiInfo("com.apple.kpi.libkern", "18.7.0"));
    addKext(src, "/R/Lib.kext", kextInfo({ CFBundleIdentifier: "com.example.Lib", CFBundleExecutable: "Lib", OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { "com.apple.kpi.libkern": "9.0" }, IOKitPersonalities: { P: { IOClass: "A" } } }));
    addKext(src, "/R/App.kext", kextInfo({ OSBundleLibraries: { "com.example.Lib": "1.0", "com.apple.kpi.libkern": "9.0" } }));
    const a = await analyzeIn(src, "/R/App.kext");
    expect(a.loadable).toBe(false);
    expect(a.diagnostics).toContainEqual(expect.objectContaining({ category: "dependencies", message: M.kOSKextDependencyInvalid, subject: "com.example.Lib" }));
    expect(a.loadList).toEqual([]);
  });
  it("warns about personalities naming unknown or codeless kexts", async () => {
    const src = new MemoryBundleSource().addDir("/R");
    addKext(src, "/R/libkern.kext", kpiInfo("com.apple.kpi.libkern", "18.7.0"));
    addKext(src, "/R/Codeless.kext", { CFBundleIdentifier: "com.example.Codeless", CFBundlePackageType: "KEXT", CFBundleVersion: "1.0" });
    addKext(src, "/R/Inj.kext", { CFBundleIdentifier: "com.example.Injector", CFBundlePackageType: "KEXT", CFBundleVersion: "1.0",
      IOKitPersonalities: { A: { CFBundleIdentifier: "com.apple.driver.Gone", IOClass: "X", IOProviderClass: "Y" }, B: { CFBundleIdentifier: "com.example.Codeless", IOClass: "X", IOProviderClass: "Y" } } });
    const a = await analyzeIn(src, "/R/Inj.kext");
    expect(a.loadable).toBe(true);
    const text = formatKextDiagnostics(a.diagnostics, ["warnings"]);
    expect(text).toContain(`    ${M.kOSKextDiagnosticPersonalityNamesUnknownKextKey}: \n        'A' -> 'com.apple.driver.Gone'\n`);
    expect(text).toContain(`        'B' -> 'com.example.Codeless'\n`);
  });
  it("flags a newer installed copy and stray files (qualification)", async () => {
    const src = new MemoryBundleSource().addDir("/R");
    addKext(src, "/R/libkern.kext", kpiInfo("com.apple.kpi.libkern", "18.7.0"));
    addKext(src, "/R/iokit.kext", kpiInfo("com.apple.kpi.iokit", "18.7.0"));
    addKext(src, "/R/Installed.kext", kextInfo({ CFBundleVersion: "2.0" }));
    addKext(src, "/B/Foo.kext", kextInfo({ CFBundleVersion: "1.5" }));
    src.addFile("/B/Foo.kext/Contents/.gdb_history", "bt\n");
    const set = new KextSet([...(await readKextsInFolder(src, "/R")), await readKext(src, "/B/Foo.kext")]);
    const a = new KextAnalyzer(set).analyze(set.withPath("/B/Foo.kext")!);
    expect(a.diagnostics).toContainEqual(expect.objectContaining({ message: M.kIOKitTSVersionNotAdvancedKey, subject: "/R/Installed.kext (2.0)" }));
    expect(a.diagnostics).toContainEqual(expect.objectContaining({ message: M.kIOKitTSStrayFileKey, subject: "/B/Foo.kext/Contents/.gdb_history" }));
    expect(a.loadable).toBe(true);
  });
  it("never throws on random info dictionaries or random Info.plist bytes", async () => {
    const plain: fc.Arbitrary<PlainPlist> = fc.letrec<{ v: PlainPlist }>((tie) => ({
      v: fc.oneof({ depthSize: "small" }, fc.string(), fc.boolean(), fc.integer(), fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom("CFBundleIdentifier", "CFBundleVersion", "OSBundleLibraries", "IOKitPersonalities", "IOClass", "IOKitDebug", "OSBundleCompatibleVersion", "CFBundleExecutable", "x"), tie("v"), { maxKeys: 4 })),
    })).v;
    const keyed = fc.record({
      CFBundlePackageType: fc.constantFrom("KEXT", "DEXT", "APPL"),
      CFBundleIdentifier: plain, CFBundleVersion: fc.oneof(plain, fc.constantFrom("1.0", "1.0fc0", "99999", "1.2.3d4")),
      OSBundleLibraries: plain, IOKitPersonalities: plain, OSBundleCompatibleVersion: plain, CFBundleExecutable: plain,
    }, { requiredKeys: ["CFBundlePackageType"] });
    await fc.assert(fc.asyncProperty(keyed, async (info) => {
      const src = new MemoryBundleSource().addFile("/R/X.kext/Contents/Info.plist", xmlPlist(info as { [k: string]: PlainPlist }));
      src.addFile("/R/X.kext/Contents/MacOS/x", machOHeader());
      const a = await analyzeIn(src, "/R/X.kext");
      for (const d of a.diagnostics) expect(d.path).toBe("/R/X.kext");
    }), { numRuns: 150 });
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
      const src = new MemoryBundleSource().addFile("/R/Y.kext/Contents/Info.plist", bytes);
      const a = await analyzeIn(src, "/R/Y.kext");
      expect(a.loadable).toBe(false);
    }), { numRuns: 100 });
  });
});
