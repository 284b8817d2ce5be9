import { describe, expect, it } from "vitest";
import { OSMetaClass } from "../kernel/index.ts";
import { bootSystem } from "./index.ts";
import { testExtensions } from "./testExtensions.ts";

const SAMPLES = ["com.example.driver.AppleSamplePCI", "com.example.driver.SampleHIDMouse", "com.example.driver.SampleUSBCDCSerial", "com.example.driver.SampleVirtualVolume"];

describe("kext code per kernel", () => {
  it("two kernels in one process each load the sample kexts and link their own classes", async () => {
    const ext = await testExtensions();
    const a = await bootSystem({ extensions: [ext] });
    const b = await bootSystem({ extensions: [ext] });
    const loaded = (s: typeof a) => s.runtime.loadedKexts().map((k) => k.bundleID);
    const samples = SAMPLES.filter((id) => a.runtime.set.withIdentifier(id).length > 0);
    expect(samples).toEqual(SAMPLES);
    for (const id of samples) {
      expect(loaded(a)).toContain(id);
      expect(loaded(b)).toContain(id);
      for (const cls of a.runtime.loadedKext(id)?.classes ?? []) {
        const ma = OSMetaClass.getMetaClassWithName(cls, a.kernel.registry);
        const mb = OSMetaClass.getMetaClassWithName(cls, b.kernel.registry);
        expect(ma).toBeDefined();
        expect(mb).toBeDefined();
        expect(ma?.ctor).not.toBe(mb?.ctor);
        // Each kernel's instances count against its own class.
        const inA = a.kernel.registry.findByClass(cls).length;
        expect(ma?.getInstanceCount()).toBe(inA);
        expect(mb?.getInstanceCount()).toBe(b.kernel.registry.findByClass(cls).length);
      }
    }
    // The class dictionary ioclasscount reads lists the kernel's own kext classes.
    const cls = a.runtime.loadedKext(samples[0] as string)?.classes[0] as string;
    expect(a.kernel.refreshDiagnostics().get("Classes")).toBeInstanceOf(Map);
    expect((a.kernel.refreshDiagnostics().get("Classes") as Map<string, unknown>).has(cls)).toBe(true);
  }, 60_000);

  it("an unloaded kext reloads with fresh classes", async () => {
    const sys = await bootSystem({ extensions: [await testExtensions()] });
    const id = "com.example.driver.SampleVirtualVolume";
    const before = sys.runtime.loadedKext(id);
    if (before === undefined) return expect.fail(`${id} did not load at boot`);
    const cls = before.classes[0] as string;
    const ctor = OSMetaClass.getMetaClassWithName(cls, sys.kernel.registry)?.ctor;
    expect(await sys.runtime.unloadKextWithIdentifier(id, true)).toBe(0);
    expect(OSMetaClass.getMetaClassWithName(cls, sys.kernel.registry)).toBeUndefined();
    expect(await sys.runtime.loadKextWithIdentifier(id)).toBe(0);
    const again = OSMetaClass.getMetaClassWithName(cls, sys.kernel.registry);
    expect(again).toBeDefined();
    expect(again?.ctor).not.toBe(ctor);
  }, 60_000);
});
