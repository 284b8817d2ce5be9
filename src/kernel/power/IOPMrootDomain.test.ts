import { beforeEach, describe, expect, it } from "vitest";
import { kIOReturnSuccess } from "../../base/index.ts";
import { NS_PER_MS } from "../scheduler/index.ts";
import { kIOSystemLoadAdvisoryLevelBad, kIOSystemLoadAdvisoryLevelGreat, kIOSystemLoadAdvisoryLevelOK } from "./IOPMrootDomain.ts";
import {
  kIOMessageCanSystemSleep, kIOMessageSystemCapabilityChange, kIOMessageSystemHasPoweredOn, kIOMessageSystemWillNotSleep, kIOMessageSystemWillPowerOn,
  kIOMessageSystemWillSleep, kIOPMAssertionLevelOn, kIOPMAssertionTypePreventSystemSleep, kIOPMAssertionTypePreventUserIdleSystemSleep,
} from "./pmConstants.ts";
import { addDevice, pmKernel, RecordingDriver } from "./testDevices.ts";

beforeEach(() => {
  RecordingDriver.calls = [];
});

const hex = (m: number): string => `0x${m.toString(16)}`;

describe("system sleep messages", () => {
  it("demand sleep sends WillSleep only (no CanSystemSleep), and wake sends WillPowerOn before the tree rises", async () => {
    const { kernel, root } = await pmKernel();
    addDevice(kernel, kernel.platform, "dev");
    await kernel.scheduler.runAll();
    RecordingDriver.calls = [];
    const seen: string[] = [];
    root.registerForSystemPower("app", (type, id) => {
      seen.push(`${hex(type)} calls=${RecordingDriver.calls.length}`);
      if (type === kIOMessageSystemWillSleep) root.allowPowerChange(id);
    });
    root.sleepSystem("Software Sleep");
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    root.wakeSystem("User");
    await kernel.scheduler.runAll();
    expect(seen).toEqual([
      `${hex(kIOMessageSystemWillSleep)} calls=0`,
      `${hex(kIOMessageSystemWillPowerOn)} calls=1`,
      `${hex(kIOMessageSystemCapabilityChange)} calls=2`,
      `${hex(kIOMessageSystemHasPoweredOn)} calls=2`,
    ]);
    expect(root.getProperty("Wake Type")).toBe("User");
  });

  it("HasPoweredOn waits until every device has risen, asynchronous acknowledgements included", async () => {
    // §8: parents raise power before their children, each setPowerState waits for its
    // acknowledgement, and kIOMessageSystemHasPoweredOn follows the device tree's wake — so the
    // expected order is: WillPowerOn, a (sync) → b under a and c (async, acked 5 ms later), each
    // ack, then HasPoweredOn, with the system "on" only from then.
    const { kernel, root } = await pmKernel();
    const order: string[] = [];
    const asyncAck = (d: RecordingDriver): void => {
      d.answer = (_s, self) => {
        kernel.scheduler.postAfter(5 * NS_PER_MS, () => { order.push(`ack ${self.getName()}`); self.acknowledgeSetPowerState(); });
        return 100_000;
      };
    };
    const a = addDevice(kernel, kernel.platform, "a");
    addDevice(kernel, a, "b", asyncAck);
    addDevice(kernel, kernel.platform, "c", asyncAck);
    await kernel.scheduler.runAll();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    RecordingDriver.calls = [];
    order.length = 0;
    root.registerPrioritySleepWakeInterest("k", (type) => {
      if (type === kIOMessageSystemWillPowerOn || type === kIOMessageSystemHasPoweredOn) {
        order.push(`${type === kIOMessageSystemWillPowerOn ? "WillPowerOn" : "HasPoweredOn"} calls=${RecordingDriver.calls.map((c) => c.device).sort().join(",")} state=${root.systemState}`);
      }
      return kIOReturnSuccess;
    });
    root.wakeSystem("User");
    await kernel.scheduler.runAll();
    expect(order[0]).toBe("WillPowerOn calls= state=waking");
    expect(order.slice(1, 3).sort()).toEqual(["ack b", "ack c"]);
    expect(order.slice(3)).toEqual(["HasPoweredOn calls=a,b,c state=on"]);
    expect(RecordingDriver.calls.findIndex((c) => c.device === "a")).toBeLessThan(RecordingDriver.calls.findIndex((c) => c.device === "b"));
  });

  it("idle sleep asks CanSystemSleep; one cancel vetoes and WillNotSleep follows", async () => {
    const { kernel, root } = await pmKernel();
    const seen: number[] = [];
    root.registerForSystemPower("vetoer", (type, id) => {
      seen.push(type);
      if (type === kIOMessageCanSystemSleep) root.cancelPowerChange(id);
    });
    root.registerForSystemPower("allower", (type, id) => {
      if (type === kIOMessageCanSystemSleep) root.allowPowerChange(id, "allower");
    });
    root.sleepSystem("Idle Sleep", { idle: true });
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("on");
    expect(seen).toEqual([kIOMessageCanSystemSleep, kIOMessageSystemWillNotSleep]);
  });

  it("WillSleep cannot be vetoed; unanswered clients time out after 30 s", async () => {
    const { kernel, root } = await pmKernel();
    root.registerForSystemPower("canceller", (type, id) => {
      if (type === kIOMessageSystemWillSleep) root.cancelPowerChange(id);
    });
    root.registerForSystemPower("silent", () => {});
    const t0 = kernel.scheduler.now();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    expect(kernel.scheduler.now() - t0).toBe(30_000 * NS_PER_MS);
    expect(kernel.logRing.lines().map((l) => l.text)).toContain("PM notification timeout (silent)");
  });

  it("kernel priority clients acknowledge by returning kIOReturnSuccess", async () => {
    const { kernel, root } = await pmKernel();
    root.registerPrioritySleepWakeInterest("kext", () => kIOReturnSuccess);
    const t0 = kernel.scheduler.now();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    expect(kernel.scheduler.now()).toBe(t0);
  });

  it("SafeSleep looks like an ordinary sleep to drivers", async () => {
    const runOnce = async (safeSleep: boolean): Promise<string[]> => {
      RecordingDriver.calls = [];
      const { kernel, root } = await pmKernel();
      const a = addDevice(kernel, kernel.platform, "a");
      addDevice(kernel, a, "b");
      await kernel.scheduler.runAll();
      const msgs: string[] = [];
      root.registerPrioritySleepWakeInterest("k", (t) => { msgs.push(hex(t)); return kIOReturnSuccess; });
      RecordingDriver.calls = [];
      root.sleepSystem("Software Sleep", { safeSleep });
      await kernel.scheduler.runAll();
      root.wakeSystem();
      await kernel.scheduler.runAll();
      return [...msgs, ...RecordingDriver.calls.map((c) => `${c.device}:${c.state}@${c.timeNs}`)];
    };
    expect(await runOnce(true)).toEqual(await runOnce(false));
  });

  it("systemIsSleeping and the willSleep/didWake events bracket the sleep (kext auto-unload hook)", async () => {
    const { kernel, root } = await pmKernel();
    const events: string[] = [];
    root.pm.onSystemPower((e) => events.push(`${e}:${root.systemIsSleeping}`));
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(root.systemIsSleeping).toBe(true);
    root.wakeSystem();
    await kernel.scheduler.runAll();
    expect(events).toEqual(["willSleep:true", "didSleep:true", "willWake:true", "didWake:false"]);
    expect(root.systemIsSleeping).toBe(false);
  });
});

describe("dark wake", () => {
  it("a maintenance wake has no graphics or audio and sleeps again at once", async () => {
    const { kernel, root } = await pmKernel();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    const caps: number[] = [];
    root.registerPrioritySleepWakeInterest("k", (t, arg) => { if (t === kIOMessageSystemCapabilityChange) caps.push(arg); return kIOReturnSuccess; });
    root.wakeSystem("Maintenance");
    await kernel.scheduler.runUntilIdle();
    expect(caps).toEqual([0x9]);
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    expect(root.pm.events.map((e) => e.domain)).toContain("DarkWake");
  });

  it("a PreventSystemSleep assertion holds a dark wake for at most 30 s", async () => {
    const { kernel, root } = await pmKernel();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    root.assertions.create(kIOPMAssertionTypePreventSystemSleep, kIOPMAssertionLevelOn, "backup");
    root.wakeSystem("SleepService");
    await kernel.scheduler.runUntilIdle();
    const woke = kernel.scheduler.now();
    expect(root.systemState).toBe("darkWake");
    await kernel.scheduler.advance(29_999);
    expect(root.systemState).toBe("darkWake");
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    const slept = root.pm.events.filter((e) => e.domain === "Sleep").at(-1)!;
    expect(slept.timeNs - woke).toBe(30_000 * NS_PER_MS);
  });

  it("user activity turns a dark wake into a full wake", async () => {
    const { kernel, root } = await pmKernel();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    root.assertions.create(kIOPMAssertionTypePreventSystemSleep, kIOPMAssertionLevelOn, "hold");
    root.wakeSystem("Maintenance");
    await kernel.scheduler.runUntilIdle();
    root.userActivity();
    expect(root.systemState).toBe("on");
    expect(root.systemCapabilities).toBe(0xf);
  });
});

describe("assertions and idle sleep", () => {
  it("the idle timer sleeps the system unless PreventUserIdleSystemSleep is held", async () => {
    const { kernel, root } = await pmKernel();
    const { id } = root.assertions.create(kIOPMAssertionTypePreventUserIdleSystemSleep, kIOPMAssertionLevelOn, "caffeinate command-line tool", { pid: 42, processName: "caffeinate" });
    root.setSleepTimer(1);
    await kernel.scheduler.advance(120_000);
    expect(root.systemState).toBe("on");
    root.assertions.release(id!);
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    expect(root.getProperty("Last Sleep Reason")).toBe("Idle Sleep");
  });

  it("a device in a kIOPMPreventIdleSleep state holds off idle sleep", async () => {
    const { kernel, root } = await pmKernel();
    const d = addDevice(kernel, kernel.platform, "busy", (x) => {
      x.states = [x.states[0]!, { ...x.states[1]!, capabilityFlags: x.states[1]!.capabilityFlags | 0x40 }];
    });
    await kernel.scheduler.runAll();
    root.setSleepTimer(1);
    await kernel.scheduler.advance(300_000);
    expect(root.systemState).toBe("on");
    d.changePowerStateToPriv(0);
    await kernel.scheduler.advance(61_000);
    expect(root.systemState).toBe("asleep");
  });

  it("user activity restarts the idle timer", async () => {
    const { kernel, root } = await pmKernel();
    root.setSleepTimer(1);
    await kernel.scheduler.advance(50_000);
    root.userActivity();
    await kernel.scheduler.advance(50_000);
    expect(root.systemState).toBe("on");
    await kernel.scheduler.advance(11_000);
    expect(root.systemState).toBe("asleep");
  });

  it("rejects unknown types and levels; timeouts release or turn off", async () => {
    const { kernel, root } = await pmKernel();
    expect(root.assertions.create("NoSuchType", 255, "x").id).toBeUndefined();
    expect(root.assertions.create(kIOPMAssertionTypePreventSystemSleep, 7, "x").id).toBeUndefined();
    const { id } = root.assertions.create(kIOPMAssertionTypePreventSystemSleep, 255, "t", { timeoutSeconds: 5, timeoutAction: "TimeoutActionRelease" });
    expect(root.assertions.count(kIOPMAssertionTypePreventSystemSleep)).toBe(1);
    await kernel.scheduler.advance(5_000);
    expect(root.assertions.user.has(id!)).toBe(false);
  });

  it("System Load Advisory: Bad in dark wake, OK while the user is active, Great when idle", async () => {
    const { kernel, root } = await pmKernel();
    root.userActivity();
    expect(root.systemLoadAdvisory()).toBe(kIOSystemLoadAdvisoryLevelOK);
    await kernel.scheduler.advance(61_000);
    expect(root.systemLoadAdvisory()).toBe(kIOSystemLoadAdvisoryLevelGreat);
    root.sleepSystem();
    await kernel.scheduler.runAll();
    root.assertions.create(kIOPMAssertionTypePreventSystemSleep, 255, "hold");
    root.wakeSystem("Maintenance");
    await kernel.scheduler.runUntilIdle();
    expect(root.systemLoadAdvisory()).toBe(kIOSystemLoadAdvisoryLevelBad);
  });
});
