import { beforeEach, describe, expect, it } from "vitest";
import { kIOReturnBadArgument } from "../../base/index.ts";
import { NS_PER_MS } from "../scheduler/index.ts";
import { validatePowerStates } from "./IOPMPowerState.ts";
import { pmOf } from "./IOServicePMMethods.ts";
import { IOPMNotYetInitialized, kIOPMDeviceUsable } from "./pmConstants.ts";
import { addDevice, pmKernel, RecordingDriver, TWO_STATES } from "./testDevices.ts";

beforeEach(() => {
  RecordingDriver.calls = [];
});

/** The virtual time xnu gives a driver: max(µs, 10 s) in 100 ms ticks, `µs/100000 + 1` ticks. */
const deadlineMs = (us: number): number => (Math.floor(Math.max(us, 10_000_000) / 100_000) + 1) * 100;

describe("setPowerState acknowledgement timeouts", () => {
  for (const us of [1, 50_000, 10_000_000, 15_000_000, 15_050_000]) {
    it(`a driver that returns ${us} µs and never acknowledges times out after ${deadlineMs(us)} ms`, async () => {
      const { kernel, root } = await pmKernel();
      const d = addDevice(kernel, kernel.platform, "silent", (x) => { x.answer = (s) => (s === 0 ? us : 0); });
      await kernel.scheduler.runAll();
      const faults: string[] = [];
      root.pm.onFault((f) => faults.push(`${f.kind} ${f.bundle}`));
      root.sleepSystem();
      await kernel.scheduler.runAll();
      const call = RecordingDriver.calls.find((c) => c.state === 0)!;
      const line = kernel.logRing.lines().find((l) => l.text.includes("timed out"))!;
      expect(line.text).toMatch(new RegExp(`^silent::setPowerState\\(0x[0-9a-f]{16}, 1 -> 0\\) timed out after ${deadlineMs(us)} ms$`));
      expect(line.timeNs - call.timeNs).toBe(deadlineMs(us) * NS_PER_MS);
      expect(d.getProperty("IOPMTardyAckSetPowerState")).toBe(true);
      expect(faults).toEqual(["ackTimeout com.example.recording"]);
      expect(root.systemState).toBe("asleep"); // the tree keeps going
    });
  }

  it("an acknowledgement before the deadline cancels the timer", async () => {
    const { kernel, root } = await pmKernel();
    const d = addDevice(kernel, kernel.platform, "prompt", (x) => {
      x.answer = (s, self) => {
        if (s === 0) self.getWorkLoop().scheduler.postAfter(300 * NS_PER_MS, () => self.acknowledgeSetPowerState());
        return s === 0 ? 1_000_000 : 0;
      };
    });
    await kernel.scheduler.runAll();
    const t0 = kernel.scheduler.now();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(kernel.scheduler.now() - t0).toBe(300 * NS_PER_MS);
    expect(d.getProperty("IOPMTardyAckSetPowerState")).toBeUndefined();
    expect(kernel.logRing.lines().some((l) => l.text.includes("timed out"))).toBe(false);
  });

  it("panic policy: an Apple driver's timeout halts the machine with an Apple-format panic log", async () => {
    const { kernel, root } = await pmKernel();
    addDevice(kernel, kernel.platform, "AppleThing", (x) => {
      x.setProperty("CFBundleIdentifier", "com.apple.driver.AppleThing");
      x.answer = (s) => (s === 0 ? 20_000_000 : 0);
    });
    await kernel.scheduler.runAll();
    root.pm.ackTimeoutPolicy = "release";
    root.sleepSystem();
    await kernel.scheduler.runAll();
    const log = root.pm.panicLog!;
    expect(log).toMatch(/^panic\(cpu 0 caller 0x[0-9a-f]{16}\): "AppleThing::setPowerState\(0x[0-9a-f]{16} : 0x[0-9a-f]{16}, 1 -> 0\) timed out after 20100 ms"@\S+IOServicePM\.cpp:\d+\n/);
    expect(log).toContain("Backtrace (CPU 0), Frame : Return Address\n");
    expect(log).toContain("BSD process name corresponding to current thread: kernel_task\n");
    expect(root.systemState).toBe("sleeping");
  });

  it("release policy only logs a third-party driver's timeout", async () => {
    const { kernel, root } = await pmKernel();
    addDevice(kernel, kernel.platform, "ThirdParty", (x) => { x.answer = (s) => (s === 0 ? 1 : 0); });
    await kernel.scheduler.runAll();
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(root.pm.panicLog).toBeUndefined();
    expect(root.systemState).toBe("asleep");
  });
});

describe("misbehaving drivers", () => {
  it("throws, double acks, stray acks and nonsense are logged with the bundle id and the tree keeps going", async () => {
    const { kernel, root } = await pmKernel();
    const thrower = addDevice(kernel, kernel.platform, "thrower", (x) => { x.answer = (s) => { if (s === 0) throw new Error("boom"); return 0; }; });
    addDevice(kernel, kernel.platform, "double", (x) => { x.answer = (_s, self) => { self.acknowledgeSetPowerState(); self.acknowledgeSetPowerState(); return 0; }; });
    addDevice(kernel, kernel.platform, "nonsense", (x) => { x.answer = () => "yes"; });
    addDevice(kernel, kernel.platform, "huge", (x) => { x.answer = () => 3e9; }); // wraps negative as a C int
    const normal = addDevice(kernel, thrower, "normal");
    await kernel.scheduler.runAll();
    const faults: string[] = [];
    root.pm.onFault((f) => faults.push(`${f.kind}:${f.service}:${f.bundle}`));
    normal.acknowledgePowerChange(thrower); // an interested-driver ack nobody asked for
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("asleep");
    expect(faults).toContain("unexpectedAck:thrower:com.example.recording");
    expect(faults).toContain("threw:thrower:com.example.recording");
    expect(faults.filter((f) => f.startsWith("unexpectedAck:double")).length).toBe(1);
    expect(faults).toContain("nonsense:nonsense:com.example.recording");
    expect(faults.some((f) => f.includes("huge"))).toBe(false);
    expect(kernel.logRing.lines().some((l) => l.text.startsWith("com.example.recording: thrower::setPowerState(") && l.text.includes("threw: boom"))).toBe(true);
    root.wakeSystem();
    await kernel.scheduler.runAll();
    expect(root.systemState).toBe("on");
    expect(normal.getPowerState()).toBe(1);
  });
});

describe("power requests", () => {
  it("an unknown state is clamped to the highest; negative or fractional ones are bad arguments", async () => {
    const { kernel } = await pmKernel();
    const d = addDevice(kernel, kernel.platform, "req");
    await kernel.scheduler.runAll();
    expect(d.changePowerStateTo(-1)).toBe(kIOReturnBadArgument);
    expect(d.changePowerStateTo(1.5)).toBe(kIOReturnBadArgument);
    d.changePowerStateToPriv(0);
    expect(d.changePowerStateTo(99)).toBe(0);
    await kernel.scheduler.runAll();
    expect(d.getPowerState()).toBe(1);
    expect((d.getProperty("IOPowerManagement") as Map<string, { value: bigint }>).get("DriverPowerState")!.value).toBe(1n);
  });
});

describe("registerPowerDriver", () => {
  it("returns IOPMNotYetInitialized before PMinit", async () => {
    const { kernel } = await pmKernel();
    const d = new RecordingDriver(kernel.registry);
    expect(d.registerPowerDriver(d, TWO_STATES)).toBe(IOPMNotYetInitialized);
    expect(d.changePowerStateTo(1)).toBe(IOPMNotYetInitialized);
  });

  it("rejects bad tables with kIOReturnBadArgument", async () => {
    const { kernel } = await pmKernel();
    const d = new RecordingDriver(kernel.registry);
    d.PMinit();
    expect(d.registerPowerDriver(d, null)).toBe(kIOReturnBadArgument);
    expect(d.registerPowerDriver(d, [TWO_STATES[0]!])).toBe(kIOReturnBadArgument);
    expect(d.registerPowerDriver(d, TWO_STATES, 1)).toBe(kIOReturnBadArgument);
    expect(d.registerPowerDriver(d, [{ ...TWO_STATES[0]!, version: 3 }, TWO_STATES[1]!])).toBe(kIOReturnBadArgument);
    const v2 = (o: number[]) => TWO_STATES.map((s, i) => ({ ...s, version: 2, stateOrder: o[i]! }));
    expect(d.registerPowerDriver(d, v2([0, 0]))).toBe(kIOReturnBadArgument);
    expect(d.registerPowerDriver(d, v2([0, 2]))).toBe(kIOReturnBadArgument);
    expect(d.registerPowerDriver(d, v2([1, 0]))).toBe(0);
  });

  it("only the first registration counts, and the usable state is the lowest with DeviceUsable", async () => {
    const { kernel } = await pmKernel();
    const d = addDevice(kernel, kernel.platform, "once");
    d.registerPowerDriver(d, [...TWO_STATES, TWO_STATES[1]!]);
    await kernel.scheduler.runAll();
    expect(pmOf(d)!.numberOfStates).toBe(2);
    const t = validatePowerStates([TWO_STATES[0]!, { ...TWO_STATES[1]!, capabilityFlags: 2 }, { ...TWO_STATES[1]!, capabilityFlags: kIOPMDeviceUsable }]).table!;
    expect(t.usableState).toBe(2);
  });
});
