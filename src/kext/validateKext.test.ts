import { describe, expect, it } from "vitest";
import { addKext, kextInfo, xmlPlist, type PlainPlist } from "../../test/support/kextFixtures.ts";
import { MemoryBundleSource, readKext, validateKext, type KextDiagnostic } from "./index.ts";
import * as M from "./kextDiagnosticMessages.ts";

async function diagnose(info: { [key: string]: PlainPlist }, opts: { executable?: boolean } = {}): Promise<KextDiagnostic[]> {
  const src = addKext(new MemoryBundleSource(), "/L/Foo.kext", info, opts);
  return validateKext(await readKext(src, "/L/Foo.kext"));
}
const has = (ds: KextDiagnostic[], message: string, subject?: string) =>
  ds.some((d) => d.message === message && (subject === undefined || d.subject === subject));

describe("validateKext()", () => {
  it("accepts a well-formed kext", async () => {
    expect((await diagnose(kextInfo())).filter((d) => d.category !== "warnings")).toEqual([]);
  });
  it("reports missing required keys with their property path", async () => {
    const ds = await diagnose(kextInfo({ OSBundleLibraries: undefined }));
    expect(has(ds, M.kOSKextDiagnosticMissingPropertyKey, "OSBundleLibraries")).toBe(true);
    const p = await diagnose(kextInfo({ IOKitPersonalities: { P: { IOProviderClass: "IOResources" } } }));
    expect(has(p, M.kOSKextDiagnosticMissingPropertyKey, "IOKitPersonalities.P.IOClass")).toBe(true);
    expect(p.find((d) => d.subject === "IOKitPersonalities.P.IOClass")?.path).toBe("/L/Foo.kext");
  });
  it("stops after a bad CFBundlePackageType", async () => {
    const ds = await diagnose(kextInfo({ CFBundlePackageType: "APPL", CFBundleVersion: "bad" }));
    expect(ds.map((d) => d.subject)).toEqual(["CFBundlePackageType"]);
  });
  it("reports wrong types with Apple's notes", async () => {
    const ds = await diagnose(kextInfo({ CFBundleVersion: 5, OSBundleIsInterface: "yes", IOKitPersonalities: { P: { IOClass: "A", IOProviderClass: "B", IOProbeScore: "high" } } }));
    expect(has(ds, M.kOSKextDiagnosticPropertyIsIllegalTypeKey, "CFBundleVersion - should be <string>")).toBe(true);
    expect(has(ds, M.kOSKextDiagnosticPropertyIsIllegalTypeKey, "OSBundleIsInterface - should be boolean, <true/> or <false/>")).toBe(true);
    expect(ds.find((d) => d.subject === "IOKitPersonalities.P.IOProbeScore - should be <integer>")?.category).toBe("warnings");
  });
  it("names unexpanded Xcode build variables as such", async () => {
    const ds = await diagnose(kextInfo({ CFBundleIdentifier: "$(PRODUCT_BUNDLE_IDENTIFIER)", CFBundleVersion: "${MODULE_VERSION}" }));
    expect(has(ds, M.kOSKextDiagnosticPropertyIsIllegalValueKey, "CFBundleIdentifier - unexpanded build variable $(PRODUCT_BUNDLE_IDENTIFIER)")).toBe(true);
    expect(has(ds, M.kOSKextDiagnosticPropertyIsIllegalValueKey, "CFBundleVersion - unexpanded build variable ${MODULE_VERSION}")).toBe(true);
    expect(ds.filter((d) => d.key === "CFBundleVersion")).toHaveLength(1);
  });
  it("checks versions: unparseable, compatible above current, over-long", async () => {
    expect(has(await diagnose(kextInfo({ CFBundleVersion: "1.0fc0" })), M.kOSKextDiagnosticPropertyIsIllegalValueKey, "CFBundleVersion")).toBe(true);
    expect(has(await diagnose(kextInfo({ OSBundleCompatibleVersion: "2.0" })), M.kOSKextDiagnosticCompatibleVersionLaterThanVersionKey)).toBe(true);
    expect(has(await diagnose(kextInfo({ CFBundleIdentifier: `com.example.${"x".repeat(60)}` })), M.kOSKextDiagnosticIdentifierOrVersionTooLongKey)).toBe(true);
    expect(has(await diagnose(kextInfo({ OSBundleLibraries: { "com.apple.kpi.iokit": "nine" } })), M.kOSKextDiagnosticPropertyIsIllegalValueKey, "OSBundleLibraries.com.apple.kpi.iokit")).toBe(true);
  });
  it("reports a declared executable that is missing or not kext code", async () => {
    expect(has(await diagnose(kextInfo(), { executable: false }), M.kOSKextDiagnosticExecutableMissingKey)).toBe(true);
    const src = addKext(new MemoryBundleSource(), "/L/Foo.kext", kextInfo(), { executable: false });
    src.addFile("/L/Foo.kext/Contents/MacOS/Foo", "#!/bin/sh\n");
    expect(has(validateKext(await readKext(src, "/L/Foo.kext")), M.kOSKextDiagnosticExecutableBadKey)).toBe(true);
  });
  it("accepts a JavaScript module executable, architecture-neutral", async () => {
    const src = addKext(new MemoryBundleSource(), "/L/Foo.kext", kextInfo({ CFBundleExecutable: "Foo.mjs" }), { executable: false });
    src.addFile("/L/Foo.kext/Contents/MacOS/Foo.mjs", "export class FooDriver {}\n");
    const k = await readKext(src, "/L/Foo.kext");
    expect(k.executable?.kind).toBe("javascript");
    expect(validateKext(k).filter((d) => d.key === "CFBundleExecutable")).toEqual([]);
  });
  it("uses arch-specific keys first", async () => {
    const ds = await diagnose(kextInfo({ OSBundleLibraries: undefined, OSBundleLibraries_x86_64: { "com.apple.kpi.libkern": "8.0" } }));
    expect(has(ds, M.kOSKextDiagnosticMissingPropertyKey)).toBe(false);
  });
  it("warns about codeless non-libraries declaring libraries and mixed kernel/KPI libraries", async () => {
    expect(has(await diagnose(kextInfo({ CFBundleExecutable: undefined })), M.kOSKextDiagnosticCodelessWithLibrariesKey)).toBe(true);
    expect(has(await diagnose(kextInfo({ OSBundleLibraries: { "com.apple.kernel.iokit": "6.0", "com.apple.kpi.libkern": "9.0" } })), M.kOSKextDiagnosticDeclaresBothKernelAndKPIDependenciesKey)).toBe(true);
  });
  it("turns a malformed, missing or unreadable Info.plist into a diagnostic naming the file", async () => {
    const src = new MemoryBundleSource().addFile("/L/Bad.kext/Contents/Info.plist", "<plist><dict><key>x</key></plist>");
    const ds = validateKext(await readKext(src, "/L/Bad.kext"));
    expect(ds).toHaveLength(1);
    expect(ds[0]?.message).toBe(M.kOSKextDiagnosticBadPropertyListXMLKey);
    expect(ds[0]?.subject).toMatch(/^Contents\/Info\.plist - .*line \d+/);
    const none = validateKext(await readKext(new MemoryBundleSource().addDir("/L/Empty.kext/Contents"), "/L/Empty.kext"));
    expect(none[0]?.message).toBe(M.kOSKextDiagnosticFileNotFoundKey);
    const locked = new MemoryBundleSource().addFile("/L/L.kext/Contents/Info.plist", xmlPlist(kextInfo()), { failWith: "EACCES" });
    expect(validateKext(await readKext(locked, "/L/L.kext"))[0]?.subject).toBe("Contents/Info.plist - EACCES");
  });
  it("reports OSBundleRequired values outside Apple's list", async () => {
    expect(has(await diagnose(kextInfo({ OSBundleRequired: "Always" })), M.kOSKextDiagnosticPropertyIsIllegalValueKey, "OSBundleRequired")).toBe(true);
    expect(has(await diagnose(kextInfo({ OSBundleRequired: "DriverKit" })), M.kOSKextDiagnosticKextIneligibleForDriverKit)).toBe(true);
  });
});

describe("validateKext() on preprocessor placeholders", () => {
  it("explains an invalid version that is an unexpanded Info.plist macro", async () => {
    const ds = await diagnose(kextInfo({ CFBundleVersion: "HWSENSORS_REVISION", OSBundleLibraries: { "com.apple.kpi.iokit": "FAKESMC_COMPATIBLE" } }));
    expect(has(ds, M.kOSKextDiagnosticPropertyIsIllegalValueKey, "CFBundleVersion - unexpanded Info.plist preprocessor macro HWSENSORS_REVISION")).toBe(true);
    expect(has(ds, M.kOSKextDiagnosticPropertyIsIllegalValueKey, "OSBundleLibraries.com.apple.kpi.iokit - unexpanded Info.plist preprocessor macro FAKESMC_COMPATIBLE")).toBe(true);
  });
});

describe("validateKext() on driver extensions", () => {
  it("applies the DEXT rules: forbidden keys, CFBundleIdentifierKernel, OSBundleRequired", async () => {
    const ds = await diagnose(kextInfo({
      CFBundlePackageType: "DEXT", OSBundleIsInterface: false, OSBundleRequired: "Root", OSBundleLibraries: undefined,
      IOKitPersonalities: { P: { IOClass: "IOUserService", IOProviderClass: "IOPCIDevice" } },
    }));
    expect(has(ds, "Driver Extensions may not use the OSBundleIsInterface key; please remove.")).toBe(true);
    expect(has(ds, M.kOSKextDiagnosticMissingDesignatedKernelClass, "P")).toBe(true);
    expect(ds.find((d) => d.message === M.kOSKextDiagnosticThirdPartiesIneligibleForDriverKitOSBundleRequired)?.category).toBe("bootLevel");
    expect(has(ds, M.kOSKextDiagnosticMissingPropertyKey, "OSBundleLibraries")).toBe(false);
  });
});
