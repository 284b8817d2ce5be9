import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dict } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOTimerEventSource } from "../workloop/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";
import { serviceMatching } from "./IOResources.ts";
import { gIOMatchedNotification, gIOTerminatedNotification } from "./serviceConstants.ts";

let log: string[] = [];

class DetNub extends IOService {}
OSMetaClass.define(DetNub, "TestDetNub");
class DetDriver extends IOService {
  override start(provider: IOService): boolean {
    log.push(`start ${provider.getName()}`);
    const t = IOTimerEventSource.timerEventSource(this, () => void log.push(`timer ${provider.getName()}`));
    const loop = this.getWorkLoop();
    loop.addEventSource(t);
    t.setTimeoutMS(provider.getName().length % 3);
    this.resources.defer(() => {
      loop.removeEventSource(t);
      t.release();
    });
    return true;
  }
  override stop(provider: IOService): void {
    log.push(`stop ${provider.getName()}`);
  }
}
OSMetaClass.define(DetDriver, "TestDetDriver");

async function scenario(seed: number, nubs: number): Promise<string[]> {
  log = [];
  const k = new IOKernel({ seed, shuffleTies: true });
  k.scheduler.onTask = (t, name) => void log.push(`${t} ${name}`);
  k.addDrivers([dict({ IOProviderClass: "TestDetNub", IOClass: "TestDetDriver" })]);
  k.addMatchingNotification(gIOMatchedNotification, serviceMatching("TestDetNub"), (s) => void log.push(`matched ${s.getName()}`));
  k.addMatchingNotification(gIOTerminatedNotification, serviceMatching("TestDetNub"), (s) => void log.push(`terminated ${s.getName()}`));
  const made: IOService[] = [];
  for (let i = 0; i < nubs; i++) {
    const n = new DetNub(k.registry, { name: `n${i}` });
    n.attach(k.platform);
    n.registerService();
    made.push(n);
  }
  await k.scheduler.advance(1);
  for (const n of made.filter((_, i) => i % 2 === 0)) n.terminate();
  await k.scheduler.runAll();
  for (const n of made) n.release();
  return log;
}

describe("determinism", () => {
  it("the same seed and inputs give the same event order", async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.integer({ min: 1, max: 6 }), async (seed, nubs) => {
      expect(await scenario(seed, nubs)).toEqual(await scenario(seed, nubs));
    }), { numRuns: 25 });
  });

  it("different seeds explore different interleavings of the same inputs", async () => {
    const traces = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) traces.add((await scenario(seed, 4)).join("|"));
    expect(traces.size).toBeGreaterThan(1);
  });

  it("publish/terminate cycles bring every instance count back to baseline", async () => {
    const k = new IOKernel();
    k.addDrivers([dict({ IOProviderClass: "TestDetNub", IOClass: "TestDetDriver" })]);
    const snap = () => OSMetaClass.all().map((m) => `${m.className}=${m.getInstanceCount()}`).join(" ");
    const before = snap();
    for (let i = 0; i < 200; i++) {
      const n = new DetNub(k.registry, { name: `c${i}` });
      n.attach(k.platform);
      n.registerService();
      n.release();
      await k.runUntilIdle();
      n.terminate();
      await k.runUntilIdle();
    }
    expect(snap()).toBe(before);
    expect(k.platform.getClients()).toHaveLength(2);
    expect(k.workLoop.eventSources()).toHaveLength(0);
  });
});
