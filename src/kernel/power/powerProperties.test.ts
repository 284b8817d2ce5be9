import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NS_PER_MS } from "../scheduler/index.ts";
import type { IOService } from "../service/index.ts";
import { generateTreeShape } from "./generatePowerMachine.ts";
import { addDevice, pmKernel, RecordingDriver } from "./testDevices.ts";

describe("power tree invariants under any mix of synchronous and late acknowledgements", () => {
  it("children sleep before parents, parents wake before children, every device reaches its state", async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 1000 }), fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 40, maxLength: 40 }),
      async (n, seed, delays) => {
        RecordingDriver.calls = [];
        const { kernel, root } = await pmKernel();
        const shape = generateTreeShape(n, seed, 4);
        const devs: IOService[] = [kernel.platform];
        for (let i = 1; i <= n; i++) {
          const delay = delays[i - 1]!;
          devs.push(addDevice(kernel, devs[shape[i]!]!, `d${i}`, (d) => {
            d.answer = (_s, self) => {
              if (delay === 0) return 0;
              self.getWorkLoop().scheduler.postAfter(delay * NS_PER_MS, () => self.acknowledgeSetPowerState());
              return 1_000_000;
            };
          }));
        }
        await kernel.scheduler.runAll();
        for (const phase of ["sleep", "wake"] as const) {
          RecordingDriver.calls = [];
          if (phase === "sleep") root.sleepSystem();
          else root.wakeSystem();
          await kernel.scheduler.runAll();
          expect(root.systemState).toBe(phase === "sleep" ? "asleep" : "on");
          const when = new Map(RecordingDriver.calls.map((c) => [Number(c.device.slice(1)), c.timeNs]));
          const idx = new Map(RecordingDriver.calls.map((c, k) => [Number(c.device.slice(1)), k]));
          expect(when.size).toBe(n);
          for (let i = 1; i <= n; i++) {
            expect(devs[i]!.getPowerState()).toBe(phase === "sleep" ? 0 : 1);
            const p = shape[i]!;
            if (p === 0) continue;
            // A parent's call comes after (sleep) / before (wake) its child's, and on sleep only
            // once the child has acknowledged (its call time plus its delay).
            if (phase === "sleep") {
              expect(idx.get(i)!).toBeLessThan(idx.get(p)!);
              expect(when.get(p)!).toBeGreaterThanOrEqual(when.get(i)! + delays[i - 1]! * NS_PER_MS);
            } else expect(idx.get(i)!).toBeGreaterThan(idx.get(p)!);
          }
        }
      },
    ), { numRuns: 40 });
  });
});

describe("interested drivers", () => {
  it("hear will/did change around setPowerState and may acknowledge late, within the deadline", async () => {
    const { kernel, root } = await pmKernel();
    const dev = addDevice(kernel, kernel.platform, "dev");
    const watcher = addDevice(kernel, kernel.platform, "watcher");
    const seen: string[] = [];
    watcher.powerStateWillChangeTo = (caps, state, what) => {
      seen.push(`will ${state} caps=${caps.toString(16)} ${what.getName()} calls=${RecordingDriver.calls.length}`);
      kernel.scheduler.postAfter(5 * NS_PER_MS, () => what.acknowledgePowerChange(watcher));
      return 20_000;
    };
    watcher.powerStateDidChangeTo = (_caps, state) => {
      seen.push(`did ${state} calls=${RecordingDriver.calls.length}`);
      return 0;
    };
    await kernel.scheduler.runAll();
    expect(dev.registerInterestedDriver(watcher)).toBe(0x8002);
    RecordingDriver.calls = [];
    root.sleepSystem();
    await kernel.scheduler.runAll();
    const devCall = RecordingDriver.calls.find((c) => c.device === "dev")!;
    expect(seen).toEqual(["will 0 caps=0 dev calls=0", expect.stringMatching(/^did 0 calls=[12]$/)]);
    expect(devCall).toBeDefined();
    expect(dev.getProperty("IOPMTardyAckPowerStateChange")).toBeUndefined();
  });

  it("an interested driver that never acknowledges is timed out after the same 10.1 s", async () => {
    const { kernel, root } = await pmKernel();
    const dev = addDevice(kernel, kernel.platform, "dev");
    const watcher = addDevice(kernel, kernel.platform, "watcher");
    watcher.powerStateWillChangeTo = () => 1;
    await kernel.scheduler.runAll();
    dev.registerInterestedDriver(watcher);
    RecordingDriver.calls = [];
    const t0 = kernel.scheduler.now();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    const devCall = RecordingDriver.calls.find((c) => c.device === "dev")!;
    expect(devCall.timeNs - t0).toBe(10_100 * NS_PER_MS);
    expect(dev.getProperty("IOPMTardyAckPowerStateChange")).toBe(true);
    expect(root.systemState).toBe("asleep");
  });

  it("settle time delays the change's end by settleDownTime µs", async () => {
    const { kernel, root } = await pmKernel();
    addDevice(kernel, kernel.platform, "slow", (d) => {
      d.states = [{ ...d.states[0]!, settleDownTime: 250_000 }, d.states[1]!];
    });
    await kernel.scheduler.runAll();
    const t0 = kernel.scheduler.now();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(kernel.scheduler.now() - t0).toBe(250 * NS_PER_MS);
  });
});
