import { describe, expect, it } from "vitest";
import { kOSKextReturn, kIOReturnSuccess } from "../base/index.ts";
import { IOKernel, IOService, OSMetaClass } from "../kernel/index.ts";
import { addKext, kextInfo, kpiInfo } from "../../test/support/kextFixtures.ts";
import { KextRuntime, KextSet, MemoryBundleSource, formatKextstat, readKextsInFolder, type KextModuleLoader } from "./index.ts";

/** The nub test drivers match on. */
class RuntimeTestNub extends IOService {}
OSMetaClass.define(RuntimeTestNub, "RuntimeTestNub");

let seq = 0;

/** A repository with two KPIs, a library kext and a driver kext whose code the loader supplies. */
async function boot(options: { libClassIsService?: boolean; driverStart?: number } = {}) {
  const n = ++seq;
  const lib = `com.example.rt${n}.Lib`;
  const drv = `com.example.rt${n}.Driver`;
  const src = new MemoryBundleSource().addDir("/R");
  addKext(src, "/R/IOKit.kext", kpiInfo("com.apple.kpi.iokit", "18.7.0"));
  addKext(src, "/R/Libkern.kext", kpiInfo("com.apple.kpi.libkern", "18.7.0"));
  addKext(src, "/R/Lib.kext", kextInfo({ CFBundleIdentifier: lib, CFBundleExecutable: "Lib.mjs", CFBundleVersion: "2.0", OSBundleCompatibleVersion: "1.0", IOKitPersonalities: undefined }), { executable: false });
  src.addFile("/R/Lib.kext/Contents/MacOS/Lib.mjs", "// code supplied by the test loader\n");
  addKext(src, "/R/Driver.kext", kextInfo({
    CFBundleIdentifier: drv, CFBundleExecutable: "Driver.mjs",
    OSBundleLibraries: { [lib]: "1.5", "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0" },
    IOKitPersonalities: { D: { IOClass: `RtDriver${n}`, IOProviderClass: "RuntimeTestNub" } },
  }), { executable: false });
  src.addFile("/R/Driver.kext/Contents/MacOS/Driver.mjs", "// code supplied by the test loader\n");
  const started: string[] = [];
  const modules: Record<string, Record<string, unknown>> = {
    [lib]: options.libClassIsService ? { [`RtLibService${n}`]: class extends IOService {} } : { start: () => { started.push("lib"); return 0; } },
    [drv]: {
      defineClasses: (kpi: { IOService: typeof IOService }) => ({ [`RtDriver${n}`]: class extends kpi.IOService {} }),
      start: () => { started.push("driver"); return options.driverStart ?? 0; },
      stop: () => { started.push("driver stop"); return 0; },
    },
  };
  const loader: KextModuleLoader = async (k) => modules[k.bundleID as string] as Record<string, unknown>;
  const set = new KextSet(await readKextsInFolder(src, "/R"));
  const rt = new KextRuntime(set, loader);
  const kernel = new IOKernel({ kextLoader: rt });
  rt.attachKernel(kernel);
  const nub = new RuntimeTestNub(kernel.registry);
  nub.attach(kernel.platform);
  return { rt, kernel, nub, lib, drv, n, started };
}

describe("KextRuntime", () => {
  it("registers kernel components at boot, then loads libraries first with sequential tags", async () => {
    const { rt, kernel, nub, lib, drv, n, started } = await boot();
    expect(rt.loadedKexts().map((k) => [k.tag, k.bundleID])).toEqual([[0, "__kernel__"], [1, "com.apple.kpi.iokit"], [2, "com.apple.kpi.libkern"]]);
    expect(await rt.loadKextWithIdentifier(drv)).toBe(kIOReturnSuccess);
    expect(started).toEqual(["lib", "driver"]);
    const loaded = rt.loadedKexts();
    expect(loaded.map((k) => [k.tag, k.bundleID, k.refs])).toEqual([[0, "__kernel__", 0], [1, "com.apple.kpi.iokit", 2], [2, "com.apple.kpi.libkern", 2], [3, lib, 1], [4, drv, 0]]);
    expect(kernel.logRing.texts()).toContain(`Kext ${drv} loaded.`);
    nub.registerService();
    await kernel.runUntilIdle();
    expect(nub.getClients().map((c) => c.className)).toEqual([`RtDriver${n}`]);
    const table = formatKextstat(loaded);
    expect(table.split("\n")[0]).toBe("Index Refs Address            Size       Wired      Name (Version) UUID <Linked Against>");
    expect(table).toContain(`    4    0 0                  0          0          ${drv} (1.0) no UUID <3 2 1>\n`);
    expect(formatKextstat(loaded, { list: true, hideKernelComponents: true }).split("\n")[0]).toMatch(/^ {4}3 {4}1 /);
  });

  it("loads a kext on demand when matching needs its class, then resumes the stalled nub", async () => {
    const { rt, kernel, nub, drv, n } = await boot();
    kernel.addDrivers([new Map<string, import("../libkern/index.ts").OSValue>([["IOClass", `RtDriver${n}`], ["IOProviderClass", "RuntimeTestNub"], ["CFBundleIdentifier", drv]])]);
    nub.registerService();
    await kernel.runUntilIdle();
    await new Promise((r) => setTimeout(r, 0));
    await kernel.runUntilIdle();
    expect(rt.loadedKexts().map((k) => k.bundleID)).toContain(drv);
    expect(nub.getClients().map((c) => c.className)).toEqual([`RtDriver${n}`]);
  });

  it("refuses to unload a kext with dependents or instances, and unloads after termination", async () => {
    const { rt, kernel, nub, lib, drv, started } = await boot();
    await rt.loadKextWithIdentifier(drv);
    nub.registerService();
    await kernel.runUntilIdle();
    expect(await rt.unloadKextWithIdentifier(lib)).toBe(kOSKextReturn.InUse);
    expect(kernel.logRing.texts()).toContain(`Can't unload kext ${lib}; outstanding references 1 (linkage or tracking object).`);
    expect(await rt.unloadKextWithIdentifier("com.apple.kpi.iokit")).toBe(kOSKextReturn.InvalidArgument);
    expect(await rt.unloadKextWithIdentifier(drv)).toBe(kIOReturnSuccess);
    expect(started).toContain("driver stop");
    expect(nub.getClients()).toEqual([]);
    expect(rt.loadedKexts().find((k) => k.bundleID === lib)?.refs).toBe(0);
    expect(await rt.unloadKextWithIdentifier(lib)).toBe(kIOReturnSuccess);
    expect(rt.loadedKexts().map((k) => k.tag)).toEqual([0, 1, 2]);
    // Tags are never reused.
    await rt.loadKextWithIdentifier(drv);
    expect(rt.loadedKexts().map((k) => k.tag)).toEqual([0, 1, 2, 5, 6]);
  });

  it("autounloads idle kexts last-to-first once their instances are gone, keeping personalities", async () => {
    const { rt, kernel, nub, lib, drv } = await boot({ libClassIsService: true });
    await rt.loadKextWithIdentifier(drv);
    nub.registerService();
    await kernel.runUntilIdle();
    expect(await rt.considerUnloads()).toEqual([]);
    nub.terminate();
    await kernel.runUntilIdle();
    rt.delayAutounload(drv);
    expect(await rt.considerUnloads()).toEqual([]);
    expect(await rt.considerUnloads()).toEqual([drv, lib]);
    expect(kernel.catalogue.bundles()).toContain(drv);
  });

  it("reports load failures with kOSKextReturn codes: start failure, missing kext, retain/release tags", async () => {
    const { rt, drv } = await boot({ driverStart: 5 });
    expect(await rt.loadKextWithIdentifier(drv)).toBe(kOSKextReturn.StartStopError);
    expect(await rt.loadKextWithIdentifier("com.example.none")).toBe(kOSKextReturn.NotFound);
    expect(rt.retainKextWithLoadTag(0xffffffff)).toBe(kOSKextReturn.InvalidArgument);
    expect(rt.retainKextWithLoadTag(999)).toBe(kOSKextReturn.NotFound);
    expect(rt.retainKextWithLoadTag(1)).toBe(kIOReturnSuccess);
    expect(rt.loadedKexts()[1]?.refs).toBeGreaterThan(0);
  });
});
