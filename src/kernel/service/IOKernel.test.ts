import { describe, expect, it } from "vitest";
import { kIOReturnBadArgument, kIOReturnSuccess } from "../../base/index.ts";
import { dict, num, type OSValue } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { resourceMatching, serviceMatching } from "./IOResources.ts";
import { gIOBusyInterest, gIOMatchedNotification, gIOPublishNotification } from "./serviceConstants.ts";

describe("IOKernel boot", () => {
  it("builds Root → IOPlatformExpertDevice → IOResources, IOUserResources, registered and matched", async () => {
    const k = new IOKernel();
    await k.runUntilIdle();
    expect(k.platform.getParentEntry("IOService")).toBe(k.registry.root);
    expect(k.platform.getClients().map((c) => c.className)).toEqual(["IOResources", "IOUserResources"]);
    for (const s of [k.platform, k.resources, k.userResources]) {
      expect(s.isRegistered() && s.isMatched() && s.hasFirstMatched()).toBe(true);
      expect(s.busyState).toBe(0);
    }
    expect(k.resources.getPath("IOService")).toBe("IOService:/IOResources");
    expect(k.resources.getProperty("IOResourceMatched")).toBeInstanceOf(Array);
  });

  it("publishes IOKitDiagnostics → Classes on the root", () => {
    const before = OSMetaClass.getMetaClassWithName("IOResources")?.getInstanceCount() ?? 0;
    const k = new IOKernel();
    const diag = k.refreshDiagnostics();
    const classes = diag.get("Classes") as Map<string, OSValue>;
    expect(classes.get("IOResources")).toEqual(num(before + 1, 32));
    expect(k.registry.root.getProperty("IOKitDiagnostics")).toBe(diag);
  });
});

describe("io_catalog_send_data", () => {
  it("a personality whose kext does not define IOClass makes no registry entry", async () => {
    const k = new IOKernel();
    const personality = dict({
      IOProviderClass: "IOResources", IOClass: "IOReportHub", IOUserClientClass: "IOSurfaceRootUserClient",
      IOMatchCategory: "fooBar", CFBundleIdentifier: "com.example.fake",
    });
    expect(k.catalogueSendData(1, [personality])).toBe(kIOReturnSuccess);
    expect([...k.catalogue.personalities()]).toHaveLength(1);
    await k.runUntilIdle();
    const found = k.getMatchingServices(dict({ IOProviderClass: "IOService", IOPropertyMatch: dict({ IOMatchCategory: "fooBar" }) }));
    expect(found).toEqual([]);
    expect(k.resources.getClients().some((c) => c.className === "IOReportHub")).toBe(false);
    expect(k.logRing.texts()).toContain('Couldn\'t alloc class "IOReportHub"');
  });

  it("removes personalities by the keys given, and rejects removed or unknown flags", () => {
    const k = new IOKernel();
    k.catalogueSendData(2, [dict({ IOProviderClass: "IOResources", IOClass: "A", CFBundleIdentifier: "com.example.a" }),
      dict({ IOProviderClass: "IOResources", IOClass: "B", CFBundleIdentifier: "com.example.b" })]);
    expect(k.catalogueSendData(4, dict({ CFBundleIdentifier: "com.example.a" }))).toBe(kIOReturnSuccess);
    expect([...k.catalogue.personalities()].map((p) => p.ioClass)).toEqual(["B"]);
    for (const flag of [5, 6, 42]) expect(k.catalogueSendData(flag, [])).toBe(kIOReturnBadArgument);
  });

  it("kextd finishing its launch publishes IOKit on IOUserResources", async () => {
    const k = new IOKernel();
    expect(k.userResources.hasProperty("IOKit")).toBe(false);
    expect(k.catalogueSendData(8)).toBe(kIOReturnSuccess);
    await k.runUntilIdle();
    expect(k.userResources.getProperty("IOKit")).toBe("IOService");
    expect(k.userResources.getProperty("IOResourceMatched")).toContain("IOKit");
  });

  it("refuses a non-dictionary element with the kernel's log line", () => {
    const k = new IOKernel();
    const r = k.addDrivers(["not a dictionary"]);
    expect(r.added).toEqual([]);
    expect(k.logRing.texts()).toContain("IOCatalogue::addDrivers() encountered non-dictionary; bailing.");
  });
});

describe("IOServiceTest", () => {
  it("a matched notification fires synchronously for existing services, then busy interest registers", async () => {
    const k = new IOKernel();
    await k.runUntilIdle();
    const seen: IOService[] = [];
    const n = k.addMatchingNotification(gIOMatchedNotification, serviceMatching("IOPlatformExpertDevice"), (s) => seen.push(s));
    expect(seen).toEqual([k.platform]);
    n.remove();
    const busy: number[] = [];
    const h = k.platform.registerInterest(gIOBusyInterest, (_t, _p, arg) => void busy.push(arg as number));
    k.publishResource("hello");
    await k.runUntilIdle();
    expect(busy).toEqual([1, 0]);
    h.remove();
  });

  it("resourceMatching gives IOProviderClass and IOResourceMatch strings", () => {
    const m = resourceMatching("hello");
    expect([...m.values()]).toEqual(["IOResources", "hello"]);
  });

  it("publish notifiers are kept by priority, FIFO among equals", async () => {
    const k = new IOKernel();
    await k.runUntilIdle();
    const order: string[] = [];
    for (const [name, prio] of [["a", 0], ["b", 5], ["c", 0], ["d", 5]] as const) {
      k.addMatchingNotification(gIOPublishNotification, serviceMatching("IOResources"), () => void order.push(name), prio);
    }
    order.length = 0; // drop the synchronous deliveries for the existing service
    k.publishResource("again");
    await k.runUntilIdle();
    expect(order).toEqual(["b", "d", "a", "c"]);
  });

  it("lookups see only matched services", async () => {
    const k = new IOKernel();
    class Lazy extends IOService {}
    OSMetaClass.define(Lazy, "TestLookupNub");
    const nub = new Lazy(k.registry);
    nub.attach(k.platform);
    nub.registerService();
    expect(k.getMatchingServices(serviceMatching("TestLookupNub"))).toEqual([]);
    await k.runUntilIdle();
    expect(k.getMatchingServices(serviceMatching("TestLookupNub"))).toEqual([nub]);
    expect(await k.waitForMatchingService(serviceMatching("TestLookupNub"))).toBe(nub);
    nub.release();
  });

  it("waitForMatchingService times out in virtual time", async () => {
    const k = new IOKernel();
    const p = k.waitForMatchingService(serviceMatching("NoSuchClassAnywhere"), 30_000);
    await k.scheduler.advance(30_000);
    expect(await p).toBeUndefined();
  });

  it("registerService outside the registry logs and does nothing", () => {
    const k = new IOKernel();
    const s = new IOService(k.registry, { name: "Loose" });
    s.registerService();
    expect(k.logRing.texts()).toContain("Loose: not registry member at registerService()");
    expect(s.isRegistered()).toBe(false);
    s.release();
  });
});
