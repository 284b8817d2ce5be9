import { describe, expect, it } from "vitest";
import { dict, num, type OSDictionary } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { serviceMatching } from "./IOResources.ts";
import {
  gIOFirstMatchNotification, gIOFirstPublishNotification, gIOMatchedNotification, gIOPublishNotification,
  gIOTerminatedNotification, gIOWillTerminateNotification, kIOMessageServiceIsRequestingClose, kIOServiceSeize,
  kIOServiceTerminateWithRematch,
} from "./serviceConstants.ts";
import { kIOReturnSuccess, type IOReturn } from "../../base/index.ts";

/** Everything the test drivers do, in order. */
const trace: string[] = [];

/** A bus nub that drivers match on. */
class TestNub extends IOService {
  override stop(provider: IOService): void {
    trace.push(`stop ${this.getName()} from ${provider.getName()}`);
  }
}
OSMetaClass.define(TestNub, "TestLifecycleNub");

/** A driver whose behaviour its personality decides: TestScoreDelta, TestStart ("fail"|"throw"), TestProbe ("decline"|"throw"). */
class TestDriver extends IOService {
  override probe(provider: IOService, score: number): number | null {
    const tag = this.stringProperty("TestTag") ?? "?";
    trace.push(`probe ${tag} ${score}`);
    const mode = this.stringProperty("TestProbe");
    if (mode === "decline") return null;
    if (mode === "throw") throw new Error("probe exploded");
    const delta = this.getProperty("TestScoreDelta");
    return score + (delta instanceof Object && "value" in delta ? Number((delta as { value: bigint }).value) : 0);
  }
  override start(provider: IOService): boolean {
    const tag = this.stringProperty("TestTag") ?? "?";
    trace.push(`start ${tag}`);
    const mode = this.stringProperty("TestStart");
    if (mode === "throw") throw new Error("start exploded");
    if (this.getProperty("TestMakeChild") === true) {
      const child = new TestNub(this.registry, { name: `${tag}-child` });
      child.setProperty("TestChild", true);
      child.attach(this);
      child.registerService();
      child.release();
    }
    if (mode === "fail") {
      // Leave something behind that a failed start must clean up.
      const child = new TestNub(this.registry);
      child.attach(this);
      child.release();
      this.resources.defer(() => trace.push(`cleanup ${tag}`));
      return false;
    }
    return true;
  }
  override stop(provider: IOService): void {
    trace.push(`stop ${this.stringProperty("TestTag") ?? "?"} from ${provider.getName()}`);
  }
  override willTerminate(provider: IOService, options: number): boolean {
    trace.push(`willTerminate ${this.stringProperty("TestTag") ?? "?"}`);
    return super.willTerminate(provider, options);
  }
  override didTerminate(provider: IOService, options: number): boolean {
    trace.push(`didTerminate ${this.stringProperty("TestTag") ?? "?"}`);
    return super.didTerminate(provider, options);
  }
  override message(type: number, provider: IOService, arg?: unknown): IOReturn {
    if (type === kIOMessageServiceIsRequestingClose && this.getProperty("TestCloseOnRequest") === true) {
      provider.close(this);
      return kIOReturnSuccess;
    }
    return super.message(type, provider, arg);
  }
}
OSMetaClass.define(TestDriver, "TestLifecycleDriver", { kmodName: "com.example.driver" });

const personality = (tag: string, extra: Record<string, unknown> = {}): OSDictionary => dict({
  IOProviderClass: "TestLifecycleNub", IOClass: "TestLifecycleDriver", CFBundleIdentifier: "com.example.driver",
  TestTag: tag, ...(extra as Record<string, never>),
});

const counts = () => ({
  driver: OSMetaClass.getMetaClassWithName("TestLifecycleDriver")?.getInstanceCount() ?? 0,
  nub: OSMetaClass.getMetaClassWithName("TestLifecycleNub")?.getInstanceCount() ?? 0,
});

async function bootWithNub(personalities: OSDictionary[], options: { name?: string } = {}) {
  const k = new IOKernel();
  k.addDrivers(personalities);
  const nub = new TestNub(k.registry, { name: options.name ?? "nub0" });
  nub.attach(k.platform);
  nub.registerService();
  nub.release();
  trace.length = 0;
  await k.runUntilIdle();
  return { k, nub };
}

describe("matching: probe, score, categories, start", () => {
  it("probes in descending score order, lets probe change the score, starts one winner per category", async () => {
    const before = counts();
    const { k, nub } = await bootWithNub([
      personality("low", { IOProbeScore: num(100, 32), TestScoreDelta: num(1000, 32) }),
      personality("high", { IOProbeScore: num(500, 32) }),
      personality("other", { IOProbeScore: num(50, 32), IOMatchCategory: "Other" }),
    ]);
    expect(trace).toEqual(["probe high 500", "probe low 100", "probe other 50", "start low", "start other"]);
    const clients = nub.getClients();
    expect(clients.map((c) => c.stringProperty("TestTag"))).toEqual(["low", "other"]);
    expect(clients[0]?.getProperty("IOProbeScore")).toEqual(num(1100, 32));
    expect(clients[0]?.getProperty("IOMatchCategory")).toBe("IODefaultMatchCategory");
    expect(clients[0]?.getProperty("CFBundleIdentifierKernel")).toBe("com.example.driver");
    // The loser was probed but never started, and is gone.
    expect(counts().driver).toBe(before.driver + 2);
    expect(nub.isMatched()).toBe(true);
    expect(k.logRing.texts()).toEqual([]);
  });

  it("a failed start falls back to the next candidate and leaves nothing behind", async () => {
    const before = counts();
    const { k, nub } = await bootWithNub([
      personality("first", { IOProbeScore: num(10, 32), TestStart: "fail" }),
      personality("second", { IOProbeScore: num(5, 32) }),
    ]);
    expect(trace).toEqual([
      "probe first 10", "probe second 5", "start first", "cleanup first",
      "stop TestLifecycleNub from TestLifecycleDriver", // the nub the failed driver made is torn down
      "start second",
    ]);
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["second"]);
    await k.runUntilIdle();
    expect(counts()).toEqual({ driver: before.driver + 1, nub: before.nub + 1 });
  });

  it("a driver that throws in probe or start is logged with its bundle id and the next is tried", async () => {
    const { k, nub } = await bootWithNub([
      personality("p-throws", { IOProbeScore: num(30, 32), TestProbe: "throw" }),
      personality("s-throws", { IOProbeScore: num(20, 32), TestStart: "throw" }),
      personality("good", { IOProbeScore: num(10, 32) }),
    ]);
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["good"]);
    const log = k.logRing.texts();
    expect(log.some((l) => l.startsWith("com.example.driver: TestLifecycleDriver::probe(nub0) threw: Error: probe exploded"))).toBe(true);
    expect(log.some((l) => l.startsWith("com.example.driver: TestLifecycleDriver::start(nub0) threw: Error: start exploded"))).toBe(true);
  });

  it("category exclusion is checked against attached clients: a rematch does not add a second default driver", async () => {
    const { k, nub } = await bootWithNub([personality("one")]);
    k.addDrivers([personality("two", { IOProbeScore: num(1000, 32) })]);
    await k.runUntilIdle();
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["one"]);
    k.addDrivers([personality("three", { IOMatchCategory: "Extra" })]);
    await k.runUntilIdle();
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["one", "three"]);
  });

  it("notifications follow Apple's order: firstPublish, publish, probe/start, matched, firstMatch", async () => {
    const k = new IOKernel();
    k.addDrivers([personality("d")]);
    const m = serviceMatching("TestLifecycleNub");
    for (const t of [gIOFirstPublishNotification, gIOPublishNotification, gIOMatchedNotification, gIOFirstMatchNotification] as const) {
      k.addMatchingNotification(t, m, () => void trace.push(t));
    }
    const nub = new TestNub(k.registry);
    nub.attach(k.platform);
    trace.length = 0;
    nub.registerService();
    await k.runUntilIdle();
    expect(trace).toEqual(["IOServiceFirstPublish", "IOServicePublish", "probe d 0", "start d", "IOServiceMatched", "IOServiceFirstMatch"]);
    trace.length = 0;
    nub.registerService();
    await k.runUntilIdle();
    expect(trace).toEqual(["IOServicePublish", "IOServiceMatched"]);
    nub.release();
  });

  it("a class from a kext is loaded through the KextLoader, now or after a stall", async () => {
    class LateDriver extends IOService {
      override start(): boolean {
        trace.push("late start");
        return true;
      }
    }
    let mode: "loaded" | "pending" = "pending";
    const requests: string[] = [];
    const k = new IOKernel({
      kextLoader: {
        loadKextForMatching: (id) => {
          requests.push(id);
          if (mode === "loaded") OSMetaClass.define(LateDriver, "TestLateDriver", { kmodName: id });
          return mode;
        },
      },
    });
    k.addDrivers([dict({ IOProviderClass: "TestLifecycleNub", IOClass: "TestLateDriver", CFBundleIdentifier: "com.example.late" })]);
    const nub = new TestNub(k.registry);
    nub.attach(k.platform);
    nub.registerService();
    await k.runUntilIdle();
    expect(requests).toEqual(["com.example.late"]);
    expect(nub.busyState).toBe(1);
    expect(k.logRing.texts()).toContain("TestLifecycleNub: stalling for module");
    mode = "loaded";
    requests.length = 0;
    k.moduleHasLoaded("com.example.late");
    await k.runUntilIdle();
    expect(nub.getClients().map((c) => c.className)).toEqual(["TestLateDriver"]);
    expect(nub.busyState).toBe(0);
    nub.release();
  });
});

describe("resource waits", () => {
  it("a driver with IOResourceMatch starts once the resource is published, the nub busy until then", async () => {
    const { k, nub } = await bootWithNub([personality("waiter", { IOResourceMatch: "TestResource" })]);
    expect(trace).toEqual(["probe waiter 0"]);
    expect(nub.getClients()).toEqual([]);
    expect(nub.busyState).toBe(1);
    expect(k.matcher.resourceWaitCount).toBe(1);
    k.publishResource("TestResource");
    await k.runUntilIdle();
    expect(trace).toEqual(["probe waiter 0", "start waiter"]);
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["waiter"]);
    expect(nub.busyState).toBe(0);
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
