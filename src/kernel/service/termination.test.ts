/**
 * The termination half of the lifecycle: module termination, the three phases and their order,
 * deferrals, rematch, and open/close arbitration.
 */
import { describe, expect, it } from "vitest";
import { kIOReturnSuccess } from "../../base/index.ts";
import { dict, num } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOService } from "./IOService.ts";
import { serviceMatching } from "./IOResources.ts";
import {
  gIOTerminatedNotification, gIOWillTerminateNotification, kIOServiceSeize, kIOServiceSynchronous,
  kIOServiceTerminateWithRematch, kIOServiceTerminateWithRematchCurrentDext,
} from "./serviceConstants.ts";
import { TestNub, bootWithNub, counts, personality, trace } from "./lifecycleFixtures.ts";

describe("module termination", () => {
  it("terminateDriversForModule stops a kext's drivers, removes its personalities, and lets its classes go", async () => {
    class ModDriver extends IOService {
      override stop(): void {
        trace.push("mod stop");
      }
    }
    OSMetaClass.define(ModDriver, "TestModDriver", { kmodName: "com.example.mod" });
    const { k, nub } = await bootWithNub([dict({ IOProviderClass: "TestLifecycleNub", IOClass: "TestModDriver", CFBundleIdentifier: "com.example.mod" })]);
    expect(nub.getClients().map((c) => c.className)).toEqual(["TestModDriver"]);
    expect(() => OSMetaClass.removeClasses("com.example.mod")).toThrow(/have instances/);
    trace.length = 0;
    k.terminateDriversForModule("com.example.mod");
    expect(trace).toEqual(["mod stop"]);
    expect(nub.getClients()).toEqual([]);
    expect(k.catalogue.personalitiesOf("com.example.mod")).toEqual([]);
    expect(OSMetaClass.removeClasses("com.example.mod")).toEqual(["TestModDriver"]);
    await k.runUntilIdle();
    expect(nub.isInactive()).toBe(false);
  });

  it("terminating a nub that waits for a resource releases the waiting driver", async () => {
    const before = counts();
    const { k, nub } = await bootWithNub([personality("waits", { IOResourceMatch: "NeverPublished" })]);
    expect(counts().driver).toBe(before.driver + 1);
    nub.terminate();
    await k.runUntilIdle();
    expect(k.matcher.resourceWaitCount).toBe(0);
    expect(counts()).toEqual(before);
    expect(k.platform.busyState).toBe(0);
  });
});

describe("termination", () => {
  it("runs Terminate, willTerminate, didTerminate, then stops the leaf before its nub", async () => {
    const before = counts();
    const { k, nub } = await bootWithNub([personality("leaf")]);
    const notes: string[] = [];
    k.addMatchingNotification(gIOTerminatedNotification, serviceMatching("IOService"), (s) => void notes.push(`terminated ${s.getName()}`));
    k.addMatchingNotification(gIOWillTerminateNotification, serviceMatching("IOService"), (s) => void notes.push(`willTerminate-note ${s.getName()}`));
    trace.length = 0;
    expect(nub.terminate()).toBe(true);
    expect(nub.isInactive()).toBe(true);
    expect(nub.getClient()?.isInactive()).toBe(true);
    expect(notes).toEqual(["terminated nub0", "terminated TestLifecycleDriver"]);
    expect(nub.terminate()).toBe(false);
    const quiet = k.platform.waitQuiet();
    await k.runUntilIdle();
    expect(await quiet).toBe(kIOReturnSuccess);
    expect(trace).toEqual(["willTerminate leaf", "didTerminate leaf", "stop leaf from nub0", "stop nub0 from IOPlatformExpertDevice"]);
    expect(notes.slice(2)).toEqual(["willTerminate-note nub0", "willTerminate-note TestLifecycleDriver"]);
    expect(k.platform.getClients().map((c) => c.className)).toEqual(["IOResources", "IOUserResources"]);
    expect(k.platform.busyState).toBe(0);
    expect(counts()).toEqual(before);
  });

  it("a deeper tree stops leaves first, level by level", async () => {
    const before = counts();
    const { k, nub } = await bootWithNub([
      personality("bus", { TestMakeChild: true, IOPropertyMatch: dict({ TestChild: false }) }),
      personality("leaf", { IOPropertyMatch: dict({ TestChild: true }) }),
    ]);
    nub.setProperty("TestChild", false);
    nub.registerService();
    await k.runUntilIdle();
    expect(nub.getClient()?.getClient()?.getClient()?.stringProperty("TestTag")).toBe("leaf");
    trace.length = 0;
    nub.terminate();
    await k.runUntilIdle();
    expect(trace.filter((t) => t.startsWith("stop"))).toEqual([
      "stop leaf from bus-child", "stop bus-child from TestLifecycleDriver", "stop bus from nub0", "stop nub0 from IOPlatformExpertDevice",
    ]);
    expect(counts()).toEqual(before);
  });

  it("a driver that terminates another service from its stop() gets it torn down too", async () => {
    const { k, nub } = await bootWithNub([personality("chain")]);
    const other = new TestNub(k.registry, { name: "other" });
    other.attach(k.platform);
    const driver = nub.getClient() as IOService;
    driver.stop = (p: IOService): void => {
      trace.push(`stop chain from ${p.getName()}`);
      other.terminate(kIOServiceSynchronous);
    };
    trace.length = 0;
    nub.terminate();
    await k.runUntilIdle();
    // Already on the termination thread, the nested terminate queues behind the work in hand.
    expect(trace).toEqual(["willTerminate chain", "didTerminate chain", "stop chain from nub0", "stop nub0 from IOPlatformExpertDevice", "stop other from IOPlatformExpertDevice"]);
    expect(other.getProviders()).toEqual([]);
    expect(k.terminationPending).toBe(0);
    other.release();
  });

  it("setTerminateDefer holds the provider's phase 2 until the client lifts it", async () => {
    const { k, nub } = await bootWithNub([personality("io")]);
    const driver = nub.getClient() as IOService;
    driver.setTerminateDefer(nub, true);
    trace.length = 0;
    nub.terminate();
    await k.runUntilIdle();
    expect(trace).toEqual([]);
    expect(nub.isInactive()).toBe(true);
    driver.setTerminateDefer(nub, false);
    await k.runUntilIdle();
    expect(trace).toEqual(["willTerminate io", "didTerminate io", "stop io from nub0", "stop nub0 from IOPlatformExpertDevice"]);
    expect(k.terminationPending).toBe(0);
  });

  it("a client with another provider survives (requestTerminate default)", async () => {
    const { k, nub } = await bootWithNub([personality("shared")]);
    const driver = nub.getClient() as IOService;
    const other = new TestNub(k.registry, { name: "other" });
    other.attach(k.platform);
    driver.attach(other);
    nub.terminate();
    await k.runUntilIdle();
    expect(driver.isInactive()).toBe(false);
    expect(driver.getProviders()).toEqual([other]);
    expect(trace).toContain("stop shared from nub0");
    other.release();
  });

  it("stop waits while the client holds its provider open, until close()", async () => {
    const { k, nub } = await bootWithNub([personality("holder")]);
    const driver = nub.getClient() as IOService;
    expect(nub.open(driver)).toBe(true);
    trace.length = 0;
    nub.terminate();
    await k.runUntilIdle();
    expect(trace).toEqual(["willTerminate holder", "didTerminate holder"]);
    expect(nub.busyState).toBeGreaterThan(0);
    nub.close(driver);
    await k.runUntilIdle();
    expect(trace).toContain("stop holder from nub0");
    expect(k.platform.busyState).toBe(0);
  });

  it("rematch for the current dext counts relaunches and records the personality on the nub", async () => {
    const { k, nub } = await bootWithNub([personality("dext")]);
    const first = nub.getClient() as IOService;
    first.setProperty("IOMatchedPersonality", dict({ IOClass: "TestLifecycleDriver" }));
    first.terminate(kIOServiceTerminateWithRematchCurrentDext);
    await k.runUntilIdle();
    expect(nub.getProperty("IORematchCount")).toEqual(num(1, 32));
    expect(nub.getProperty("IORematchPersonality")).toEqual(dict({ IOClass: "TestLifecycleDriver" }));
    expect(nub.getClients()).toHaveLength(1);
  });

  it("terminate with rematch re-registers the provider and a fresh driver starts", async () => {
    const { k, nub } = await bootWithNub([personality("again")]);
    const first = nub.getClient() as IOService;
    first.retain();
    trace.length = 0;
    first.terminate(kIOServiceTerminateWithRematch);
    await k.runUntilIdle();
    expect(trace).toEqual(["stop again from nub0", "probe again 0", "start again"]);
    const second = nub.getClient();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    first.release();
  });
});

describe("attach limits", () => {
  it("refuses a 1021st client with the kernel's stall line", async () => {
    const { k, nub } = await bootWithNub([]);
    const made: TestNub[] = [];
    for (let i = 0; i < 1020; i++) {
      const c = new TestNub(k.registry);
      expect(c.attach(nub)).toBe(true);
      made.push(c);
    }
    const extra = new TestNub(k.registry);
    expect(extra.attach(nub)).toBe(false);
    expect(k.logRing.texts()).toContain("stalling for detach from nub0");
    for (const c of [...made, extra]) {
      c.detach(nub);
      c.release();
    }
  });
});

describe("open/close arbitration", () => {
  it("is exclusive; kIOServiceSeize asks the owner to close", async () => {
    const { nub } = await bootWithNub([personality("a"), personality("b", { IOMatchCategory: "B", TestCloseOnRequest: true })]);
    const [a, b] = nub.getClients() as [IOService, IOService];
    expect(nub.open(b)).toBe(true);
    expect(nub.isOpen()).toBe(true);
    expect(nub.isOpen(b)).toBe(true);
    expect(nub.open(a)).toBe(false);
    expect(nub.open(a, kIOServiceSeize)).toBe(true);
    expect(nub.isOpen(a)).toBe(true);
    expect(nub.open(b, kIOServiceSeize)).toBe(false); // a does not close on request
    nub.close(a);
    expect(nub.isOpen()).toBe(false);
  });

  it("open fails on an inactive service", async () => {
    const { k, nub } = await bootWithNub([personality("x")]);
    const x = nub.getClient() as IOService;
    nub.terminate();
    expect(nub.open(x)).toBe(false);
    await k.runUntilIdle();
  });
});
