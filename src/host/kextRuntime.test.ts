/**
 * KextRuntime on real JavaScript kexts written to temp folders and imported from disk: atomic
 * graph loads, tags, start/stop, personalities and rematching, unload refusals, autounload on the
 * virtual clock (and its suspension during system sleep), opt-in retain, user-load permission and
 * bundle resources.
 */
import { describe, expect, it } from "vitest";
import { kIOReturnSuccess, kOSKextReturn } from "../base/index.ts";
import { IOKernel, OSMetaClass, getPMRootDomain } from "../kernel/index.ts";
import { KextRuntime, KextSet, formatKextstat, readKextsInFolder, type KmodInfo } from "../kext/index.ts";
import { writeXMLPlist } from "../formats/index.ts";
import { kextEvents, recordingModule, writeJsKextFolder, type JsKextSpec } from "../../test/support/jsKextFixtures.ts";
import { FsBundleSource, importKextModule } from "./index.ts";

let seq = 0;
const KPIS = { "com.apple.kpi.iokit": "9.0", "com.apple.kpi.libkern": "9.0" };

/** LibA (plain library) ← LibB (an IOService family) ← Driver (matches on IOResources). */
function graph(n: number, over: { driver?: Partial<JsKextSpec>; libA?: Partial<JsKextSpec> } = {}): JsKextSpec[] {
  const p = `com.example.rt${n}`;
  return [
    { id: `${p}.LibA`, info: { CFBundleVersion: "1.2", OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { "com.apple.kpi.libkern": "9.0" } }, code: recordingModule(`A${n}`), ...over.libA },
    {
      id: `${p}.LibB`, info: { CFBundleVersion: "2.0", OSBundleCompatibleVersion: "1.0", OSBundleLibraries: { [`${p}.LibA`]: "1.0", ...KPIS } },
      code: recordingModule(`B${n}`, { classes: `class Rt${n}Family extends kpi.IOService {} return { Rt${n}Family };` }),
    },
    {
      id: `${p}.Driver`,
      info: {
        OSBundleLibraries: { [`${p}.LibB`]: "1.0", ...KPIS },
        IOKitPersonalities: { D: { IOClass: `Rt${n}Driver`, IOProviderClass: "IOResources", IOMatchCategory: `Rt${n}Driver` } },
      },
      code: recordingModule(`D${n}`, {
        classes: `const Family = kpi.OSMetaClass.getMetaClassWithName("Rt${n}Family").ctor; class Rt${n}Driver extends Family { start(p) { return super.start(p); } } return { Rt${n}Driver };`,
      }),
      ...over.driver,
    },
  ];
}

async function boot(specs: JsKextSpec[]) {
  const { dir, paths } = writeJsKextFolder(specs);
  const source = new FsBundleSource();
  const set = new KextSet(await readKextsInFolder(source, dir));
  const rt = new KextRuntime(set, importKextModule, { resources: source });
  const kernel = new IOKernel({ kextLoader: rt });
  rt.attachKernel(kernel);
  return { rt, kernel, dir, paths };
}

/** Everything a failed load must leave untouched. */
function snapshot(rt: KextRuntime, kernel: IOKernel) {
  return {
    kexts: rt.loadedKexts().map((k) => `${k.tag} ${k.bundleID} refs=${k.refs} started=${k.started} [${k.classes.join(",")}]`),
    personalities: [...kernel.catalogue.personalities()].map((p) => writeXMLPlist(p.table)),
    registry: kernel.registry.toSnapshot(),
    classes: OSMetaClass.all(kernel.registry).map((m) => `${m.className}=${m.getInstanceCount()}`).sort(),
  };
}

describe("KextRuntime on JavaScript kexts from disk", () => {
  it("loads a graph libraries first with sequential tags, starts it, sends personalities and matches", async () => {
    const n = ++seq;
    const { rt, kernel } = await boot(graph(n));
    kextEvents().length = 0;
    expect(await rt.loadKextWithIdentifier(`com.example.rt${n}.Driver`)).toBe(kIOReturnSuccess);
    expect(kextEvents()).toEqual([`A${n} start`, `B${n} start`, `D${n} start`]);
    expect(kernel.logRing.texts()).toContain(`Kext com.example.rt${n}.Driver has IOService subclass Rt${n}Driver; enabling autounload.`);
    expect(rt.loadedKexts().map((k) => [k.tag, k.bundleID, k.refs, k.dependencyTags])).toEqual([
      [0, "__kernel__", 0, []], [1, "com.apple.kpi.iokit", 2, []], [2, "com.apple.kpi.libkern", 3, []],
      [3, `com.example.rt${n}.LibA`, 1, [2]], [4, `com.example.rt${n}.LibB`, 1, [3, 1, 2]], [5, `com.example.rt${n}.Driver`, 0, [4, 1, 2]],
    ]);
    expect(formatKextstat(rt.loadedKexts())).toContain(`    5    0 0                  0          0          com.example.rt${n}.Driver (1.0) no UUID <4 2 1>\n`);
    await kernel.runUntilIdle();
    const drivers = kernel.resources.getClients().filter((c) => c.className === `Rt${n}Driver`);
    expect(drivers).toHaveLength(1);
    expect(drivers[0]?.getKmodName()).toBe(`com.example.rt${n}.Driver`);
    expect(kernel.catalogue.personalitiesOf(`com.example.rt${n}.Driver`)).toHaveLength(1);
  });

  const failures: Array<[string, (n: number) => JsKextSpec[], number, string]> = [
    ["a missing library", (n) => graph(n, { driver: { info: { OSBundleLibraries: { [`com.example.rt${n}.LibB`]: "1.0", "com.example.Missing": "1.0", ...KPIS }, IOKitPersonalities: undefined } } }), kOSKextReturn.Dependencies as number, "No kexts found for these libraries: com.example.Missing"],
    ["a failing start routine", (n) => graph(n, { driver: { code: recordingModule(`D${n}`, { startResult: 5 }) } }), kOSKextReturn.StartStopError as number, "start routine failed"],
    ["a module that throws at import", (n) => graph(n, { driver: { code: "throw new Error('boom at import');\n" } }), kOSKextReturn.LinkError as number, "executable failed to load: boom at import"],
    ["a library that cannot start", (n) => graph(n, { libA: { code: recordingModule(`A${n}`, { startResult: 1 }) } }), kOSKextReturn.DependencyLoadError as number, "start routine failed"],
    ["a personality the catalogue rejects", (n) => graph(n, {
      driver: { info: { OSBundleLibraries: { [`com.example.rt${n}.LibB`]: "1.0", ...KPIS }, IOKitPersonalities: { Bad: { IOClass: "X", IOProviderClass: "IOResources", IOProbeScore: "high" } } } },
    }), kOSKextReturn.Validation as number, "personality Bad rejected by the catalogue: IOProbeScore"],
  ];
  for (const [what, specs, code, logged] of failures) {
    it(`leaves registry, catalogue, kext table and instance counts exactly as before on ${what}`, async () => {
      const n = ++seq;
      const { rt, kernel } = await boot(specs(n));
      // Something already loaded and matched, so "as before" is not "empty".
      await rt.loadKextWithIdentifier(`com.example.rt${n}.LibA`);
      await kernel.runUntilIdle();
      const before = snapshot(rt, kernel);
      kextEvents().length = 0;
      expect(await rt.loadKextWithIdentifier(`com.example.rt${n}.Driver`)).toBe(code);
      await kernel.runUntilIdle();
      expect(snapshot(rt, kernel)).toEqual(before);
      expect(kernel.logRing.texts().join("\n")).toContain(logged);
      expect(kernel.logRing.texts()).toContain(`Kext com.example.rt${n}.Driver failed to load (0x${(code >>> 0).toString(16)}).`);
      // Whatever started was stopped again.
      for (const e of kextEvents().filter((x) => x.endsWith(" start"))) expect(kextEvents()).toContain(e.replace(/start$/, "stop"));
    });
  }

  it("refuses unloads with Apple's messages and codes while references or instances remain", async () => {
    const n = ++seq;
    const { rt, kernel } = await boot(graph(n));
    const drv = `com.example.rt${n}.Driver`;
    await rt.loadKextWithIdentifier(drv);
    await kernel.runUntilIdle();
    expect(await rt.unloadKextWithIdentifier(`com.example.rt${n}.LibB`)).toBe(kOSKextReturn.InUse);
    expect(kernel.logRing.texts()).toContain(`Can't unload kext com.example.rt${n}.LibB; outstanding references 1 (linkage or tracking object).`);
    expect(await rt.unloadKextWithIdentifier(drv, false)).toBe(kOSKextReturn.InUse);
    expect(kernel.logRing.texts()).toContain(`Can't unload kext ${drv}; classes have instances:\n    Kext ${drv} class Rt${n}Driver has 1 instance.`);
    expect(await rt.unloadKextWithIdentifier("com.apple.kpi.iokit")).toBe(kOSKextReturn.InvalidArgument);
    expect(await rt.unloadKextWithIdentifier("com.example.none")).toBe(kOSKextReturn.NotFound);
    // kextunload's way: terminate, remove personalities, unload; then the libraries unwind.
    expect(await rt.unloadKextWithIdentifier(drv)).toBe(kIOReturnSuccess);
    expect(kernel.catalogue.personalitiesOf(drv)).toEqual([]);
    expect(await rt.unloadKextWithIdentifier(`com.example.rt${n}.LibB`)).toBe(kIOReturnSuccess);
    expect(await rt.unloadKextWithIdentifier(`com.example.rt${n}.LibA`)).toBe(kIOReturnSuccess);
    expect(rt.loadedKexts().map((k) => k.tag)).toEqual([0, 1, 2]);
    expect(OSMetaClass.getMetaClassWithName(`Rt${n}Driver`, kernel.registry)).toBeUndefined();
  });

  it("autounloads IOService kexts 60 s after the registry goes quiet, keeps personalities, and reloads on demand", async () => {
    const n = ++seq;
    const { rt, kernel } = await boot(graph(n));
    const drv = `com.example.rt${n}.Driver`;
    kernel.catalogueSendData(7); // kextd active: autounload runs only then
    await rt.loadKextWithIdentifier(drv);
    await kernel.runUntilIdle();
    await kernel.scheduler.advance(120_000);
    expect(rt.loadedKext(drv)).toBeDefined(); // an instance exists
    kernel.terminateDriversForModule(drv, false);
    await kernel.runUntilIdle();
    await kernel.scheduler.advance(59_000);
    expect(rt.loadedKext(drv)).toBeDefined();
    await kernel.scheduler.advance(1_000);
    await kernel.runUntilIdle();
    // Driver and the family unwind last-to-first; LibA has no IOService class and stays.
    expect(rt.loadedKexts().map((k) => k.bundleID).slice(3)).toEqual([`com.example.rt${n}.LibA`]);
    expect(kernel.catalogue.personalitiesOf(drv)).toHaveLength(1);
    kernel.resources.registerService();
    await kernel.runUntilIdle();
    await new Promise((r) => setTimeout(r, 20));
    await kernel.runUntilIdle();
    expect(rt.loadedKext(drv)).toBeDefined();
    expect(kernel.resources.getClients().map((c) => c.className)).toContain(`Rt${n}Driver`);
  });

  it("suspends autounload while the system sleeps and re-arms it on wake", async () => {
    const n = ++seq;
    const { rt, kernel } = await boot(graph(n, { driver: { info: { OSBundleLibraries: { [`com.example.rt${n}.LibB`]: "1.0", ...KPIS }, IOKitPersonalities: undefined } } }));
    const drv = `com.example.rt${n}.Driver`;
    kernel.catalogueSendData(7);
    const root = getPMRootDomain(kernel.platform);
    await kernel.runUntilIdle();
    await rt.loadKextWithIdentifier(drv);
    rt.scheduleConsiderUnloads();
    root.sleepSystem();
    await kernel.runUntilIdle();
    expect(rt.autounloadSuspended).toBe(true);
    await kernel.scheduler.advance(300_000);
    expect(await rt.considerUnloads()).toEqual([]);
    expect(rt.loadedKext(drv)).toBeDefined();
    root.wakeSystem();
    await kernel.runUntilIdle();
    expect(rt.autounloadSuspended).toBe(false);
    await kernel.scheduler.advance(60_000);
    await kernel.runUntilIdle();
    expect(rt.loadedKext(drv)).toBeUndefined();
  });

  it("keeps non-I/O Kit kexts loaded until a retain opts them in; release schedules the scan", async () => {
    const n = ++seq;
    const { rt, kernel } = await boot(graph(n));
    const libA = `com.example.rt${n}.LibA`;
    kernel.catalogueSendData(7);
    await rt.loadKextWithIdentifier(libA);
    expect(await rt.considerUnloads()).toEqual([]);
    const tag = rt.loadedKext(libA)?.tag as number;
    expect(rt.retainKextWithLoadTag(tag)).toBe(kIOReturnSuccess);
    expect(rt.loadedKext(libA)?.refs).toBe(1);
    expect(await rt.considerUnloads()).toEqual([]);
    expect(rt.releaseKextWithLoadTag(tag)).toBe(kIOReturnSuccess);
    expect(rt.releaseKextWithLoadTag(0xffffffff)).toBe(kOSKextReturn.InvalidArgument);
    expect(rt.retainKextWithLoadTag(9999)).toBe(kOSKextReturn.NotFound);
    await kernel.scheduler.advance(60_000);
    await kernel.runUntilIdle();
    expect(rt.loadedKext(libA)).toBeUndefined();
  });

  it("lets a non-administrator load only kexts with OSBundleAllowUserLoad", async () => {
    const n = ++seq;
    const specs = graph(n);
    const { rt } = await boot([...specs, { id: `com.example.rt${n}.User`, info: { OSBundleAllowUserLoad: true, OSBundleLibraries: { "com.apple.kpi.libkern": "9.0" } }, code: recordingModule(`U${n}`) }]);
    expect(await rt.loadKextWithIdentifier(`com.example.rt${n}.LibA`, { privileged: false })).toBe(kOSKextReturn.NotPrivileged);
    expect(await rt.loadKextWithIdentifier(`com.example.rt${n}.User`, { privileged: false })).toBe(kIOReturnSuccess);
  });

  it("serves OSKextRequestResource from the bundle's Resources, asynchronously, and holds off autounload meanwhile", async () => {
    const n = ++seq;
    const got: string[] = [];
    (globalThis as { __rtResources?: unknown }).__rtResources = (kmod: KmodInfo) => {
      const cb = (tag: number, result: number, data: Uint8Array | undefined, ctx: unknown) =>
        got.push(`${String(ctx)} ${tag} 0x${(result >>> 0).toString(16)} ${data ? new TextDecoder().decode(data) : "-"}`);
      got.push(`sync ${kmod.requestResource("fw.bin", cb, "fw").result}`);
      got.push(`sync ${kmod.requestResource("none.bin", cb, "none").result}`);
      got.push(`bad 0x${(kmod.requestResource("../Info.plist", cb).result >>> 0).toString(16)}`);
    };
    const { rt, kernel } = await boot([{
      id: `com.example.rt${n}.Fw`, info: { OSBundleLibraries: { "com.apple.kpi.libkern": "9.0" } }, resources: { "fw.bin": "FIRMWARE" },
      code: recordingModule(`F${n}`, { extra: "globalThis.__rtResources(kmod);" }),
    }]);
    expect(await rt.loadKextWithIdentifier(`com.example.rt${n}.Fw`)).toBe(kIOReturnSuccess);
    expect(got).toEqual(["sync 0", "sync 0", `bad 0x${((kOSKextReturn.InvalidArgument as number) >>> 0).toString(16)}`]);
    const tag = rt.loadedKext(`com.example.rt${n}.Fw`)?.tag as number;
    rt.retainKextWithLoadTag(tag);
    rt.releaseKextWithLoadTag(tag);
    expect(await rt.considerUnloads()).toEqual([]); // requests pending
    await new Promise((r) => setTimeout(r, 20));
    await kernel.runUntilIdle();
    expect(got.slice(3).sort()).toEqual(["fw 1 0x0 FIRMWARE", `none 2 0x${((kOSKextReturn.NotFound as number) >>> 0).toString(16)} -`]);
    expect(await rt.considerUnloads()).toEqual([`com.example.rt${n}.Fw`]);
  });
});
