/**
 * Property test of the lifecycle: random interleavings of publishing nubs (on the platform or under
 * running drivers), terminating services, adding and removing personalities and letting virtual time
 * pass. Whatever happens, once everything is terminated and the scheduler drained, the registry is
 * back to its booted shape, nothing is busy, and every class's instance count is at its baseline.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dict, num } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOTimerEventSource } from "../workloop/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { kIOServiceTerminateWithRematch } from "./serviceConstants.ts";

class PropNub extends IOService {}
OSMetaClass.define(PropNub, "TestPropNub");

class PropDriver extends IOService {
  override probe(_p: IOService, score: number): number | null {
    if (this.getProperty("PropProbe") === "throw") throw new Error("probe");
    return this.getProperty("PropProbe") === "decline" ? null : score;
  }
  override start(provider: IOService): boolean {
    if (this.getProperty("PropStart") === "fail") return false;
    if (this.getProperty("PropStart") === "throw") throw new Error("start");
    const t = IOTimerEventSource.timerEventSource(this, () => void t.setTimeoutMS(7));
    const loop = this.getWorkLoop();
    loop.addEventSource(t);
    t.setTimeoutMS(3);
    this.resources.defer(() => {
      loop.removeEventSource(t);
      t.release();
    });
    return super.start(provider);
  }
}
OSMetaClass.define(PropDriver, "TestPropDriver");

const PERSONALITIES = [
  dict({ IOProviderClass: "TestPropNub", IOClass: "TestPropDriver", IOProbeScore: num(10, 32), CFBundleIdentifier: "com.example.p1" }),
  dict({ IOProviderClass: "TestPropNub", IOClass: "TestPropDriver", IOProbeScore: num(20, 32), PropStart: "fail", CFBundleIdentifier: "com.example.p2" }),
  dict({ IOProviderClass: "TestPropNub", IOClass: "TestPropDriver", IOMatchCategory: "Side", PropProbe: "throw", CFBundleIdentifier: "com.example.p3" }),
  dict({ IOProviderClass: "TestPropNub", IOClass: "TestPropDriver", IOMatchCategory: "Side", IOProbeScore: num(-5, 32), CFBundleIdentifier: "com.example.p4" }),
  dict({ IOProviderClass: "TestPropNub", IOClass: "TestPropDriver", IOMatchCategory: "Third", PropStart: "throw", CFBundleIdentifier: "com.example.p5" }),
];

type Op =
  | { op: "publish"; under: number }
  | { op: "terminate"; which: number; rematch: boolean }
  | { op: "add"; p: number }
  | { op: "remove"; p: number }
  | { op: "time"; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("publish" as const), under: fc.nat(20) }),
  fc.record({ op: fc.constant("terminate" as const), which: fc.nat(20), rematch: fc.boolean() }),
  fc.record({ op: fc.constant("add" as const), p: fc.nat(PERSONALITIES.length - 1) }),
  fc.record({ op: fc.constant("remove" as const), p: fc.nat(PERSONALITIES.length - 1) }),
  fc.record({ op: fc.constant("time" as const), ms: fc.nat(10) }),
);

const snapshot = () => OSMetaClass.all().map((m) => `${m.className}=${m.getInstanceCount()}`).join(" ");

describe("lifecycle properties", () => {
  it("any interleaving tears down to the booted state with counts at baseline", async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.array(opArb, { maxLength: 40 }), async (seed, ops) => {
      const k = new IOKernel({ seed, shuffleTies: true });
      await k.runUntilIdle();
      const baseline = snapshot();
      const live = (): IOService[] => [...k.registry.entries()].filter((e): e is IOService => e instanceof IOService && !e.isInactive()
        && e !== k.platform && e !== k.resources && e !== k.userResources);
      for (const o of ops) {
        if (o.op === "publish") {
          const parents = [k.platform, ...live().filter((s) => s instanceof PropDriver)];
          const nub = new PropNub(k.registry);
          if (nub.attach(parents[o.under % parents.length] as IOService)) nub.registerService();
          nub.release();
        } else if (o.op === "terminate") {
          const all = live();
          if (all.length > 0) all[o.which % all.length]?.terminate(o.rematch ? kIOServiceTerminateWithRematch : 0);
        } else if (o.op === "add") {
          k.addDrivers([PERSONALITIES[o.p] as Map<string, never>]);
        } else if (o.op === "remove") {
          k.removeDrivers(dict({ CFBundleIdentifier: `com.example.p${o.p + 1}` }));
        } else {
          await k.scheduler.advance(o.ms);
        }
        // Invariant at every step: no active service hangs below an inactive, finalized provider.
        for (const s of live()) for (const p of s.getProviders()) expect(p.termination.finalized).toBe(false);
      }
      await k.scheduler.advance(20);
      for (const s of k.platform.getClients()) if (s instanceof PropNub) s.terminate();
      await k.scheduler.runAll(100_000);
      expect(k.platform.getClients().map((c) => c.className)).toEqual(["IOResources", "IOUserResources"]);
      expect(k.platform.busyState).toBe(0);
      expect(k.terminationPending).toBe(0);
      expect(k.workLoop.eventSources()).toHaveLength(0);
      expect(snapshot()).toBe(baseline);
    }), { numRuns: 60 });
  });
});
