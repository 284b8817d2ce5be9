/**
 * The matching half of the lifecycle: probe and start, categories, fallbacks, notifications, kext
 * loading, deferral, resource waits, drivers using kernel services, real-time mode.
 */
import { describe, expect, it } from "vitest";
import { kIOReturnSuccess } from "../../base/index.ts";
import { dict, num } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { serviceMatching } from "./IOResources.ts";
import {
  gIOFirstMatchNotification, gIOFirstPublishNotification, gIOMatchedNotification, gIOPublishNotification,
} from "./serviceConstants.ts";
import { TestNub, bootWithNub, counts, personality, trace } from "./lifecycleFixtures.ts";

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

  it("removing personalities rematches the nubs they matched; running drivers stay", async () => {
    const { k, nub } = await bootWithNub([personality("stay"), personality("gone", { IOMatchCategory: "Gone", IOProbeScore: num(-1, 32) })]);
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["stay", "gone"]);
    const passes = k.matcher.passes;
    const removed = k.removeDrivers(dict({ TestTag: "gone" }));
    expect(removed.map((p) => p.table.get("TestTag"))).toEqual(["gone"]);
    await k.runUntilIdle();
    expect(k.matcher.passes).toBe(passes + 1);
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["stay", "gone"]);
    // With the personality gone, a new nub gets only the remaining driver.
    const fresh = new TestNub(k.registry, { name: "fresh" });
    fresh.attach(k.platform);
    fresh.registerService();
    fresh.release();
    await k.runUntilIdle();
    expect(fresh.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["stay"]);
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

describe("IOMatchDefer", () => {
  it("defers a nub's matching until the kext daemon checks in", async () => {
    const { k, nub } = await bootWithNub([personality("deferred", { IOMatchDefer: true }), personality("lower", { IOProbeScore: num(-1, 32) })]);
    expect(nub.getClients()).toEqual([]);
    expect(k.logRing.texts()).toContain(`nub0(0x${nub.entryID.toString(16)}): matching deferred by TestLifecycleDriver`);
    expect(k.matcher.deferredCount).toBe(1);
    trace.length = 0;
    expect(k.catalogueSendData(7)).toBe(kIOReturnSuccess);
    await k.runUntilIdle();
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["deferred"]);
    expect(k.matcher.deferredCount).toBe(0);
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

describe("drivers using kernel services", () => {
  it("a driver's matching notification lives on its ResourceStack and goes with it", async () => {
    const seen: string[] = [];
    class Watcher extends IOService {
      override start(provider: IOService): boolean {
        const n = this.addMatchingNotification(gIOMatchedNotification, serviceMatching("IOResources"), (s) => void seen.push(s.getName()));
        this.resources.defer(() => n.remove());
        return super.start(provider);
      }
    }
    OSMetaClass.define(Watcher, "TestWatcher");
    const { k, nub } = await bootWithNub([dict({ IOProviderClass: "TestLifecycleNub", IOClass: "TestWatcher" })]);
    expect(seen).toEqual(["IOResources"]);
    expect(nub.getClient()?.getMatchingServices(serviceMatching("IOResources"))).toEqual([k.resources]);
    k.publishResource("one");
    await k.runUntilIdle();
    expect(seen).toEqual(["IOResources", "IOResources"]);
    nub.terminate();
    await k.runUntilIdle();
    k.publishResource("two");
    await k.runUntilIdle();
    expect(seen).toHaveLength(2);
    expect(k.notifications.count(gIOMatchedNotification)).toBe(0);
  });
});

describe("real-time mode", () => {
  it("matches on the wall clock without anyone running the scheduler", async () => {
    const k = new IOKernel({ realTime: true });
    k.addDrivers([personality("rt")]);
    const nub = new TestNub(k.registry, { name: "rt-nub" });
    nub.attach(k.platform);
    nub.registerService();
    nub.release();
    expect(await k.waitForMatchingService(serviceMatching("TestLifecycleNub"))).toBe(nub);
    expect(await nub.waitQuiet(5000)).toBe(kIOReturnSuccess);
    expect(nub.getClients().map((c) => c.stringProperty("TestTag"))).toEqual(["rt"]);
    k.scheduler.stop();
  });
});
