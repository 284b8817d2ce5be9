import { beforeEach, describe, expect, it } from "vitest";
import { isOSNumber, type OSValue } from "../../libkern/index.ts";
import type { IOService } from "../service/index.ts";
import { generateTreeShape } from "./generatePowerMachine.ts";
import { IOPowerConnection } from "./IOPowerConnection.ts";
import { pmOf } from "./IOServicePMMethods.ts";
import { addDevice, pmKernel, RecordingDriver } from "./testDevices.ts";

const pmProp = (s: IOService, key: string): number | undefined => {
  const d = s.getProperty("IOPowerManagement") as Map<string, OSValue> | undefined;
  const v = d?.get(key);
  return v !== undefined && isOSNumber(v) ? Number(v.value) : undefined;
};

/** Builds a tree of `n` recording devices with the generator's seeded shape; returns names and parents. */
async function tree(n: number, seed: number) {
  const { kernel, root } = await pmKernel();
  const shape = generateTreeShape(n, seed, 5);
  const devices: IOService[] = [kernel.platform];
  for (let i = 1; i <= n; i++) devices.push(addDevice(kernel, devices[shape[i]!]!, `dev${i}`));
  await kernel.scheduler.runAll();
  const children = new Map<number, number[]>();
  for (let i = 1; i <= n; i++) {
    const list = children.get(shape[i]!) ?? [];
    list.push(i);
    children.set(shape[i]!, list);
  }
  return { kernel, root, shape, children };
}

/**
 * The reference order (spec §8, xnu IOServicePM without kIOPMStrictTreeOrder): a parent notifies all
 * its power children at once, in IOPower-plane order, and every child's work goes to the back of
 * the one FIFO PM work queue. On a drop a device calls setPowerState only after all its children
 * acknowledged; on a rise it calls setPowerState first and then notifies its children.
 */
function referenceSleepOrder(children: Map<number, number[]>, parentOf: number[]): number[] {
  const order: number[] = [];
  const pending = new Map<number, number>();
  const queue: (() => void)[] = [];
  const ack = (p: number): void => {
    if (p === 0) return;
    const left = pending.get(p)! - 1;
    pending.set(p, left);
    if (left === 0) queue.push(() => { order.push(p); ack(parentOf[p]!); });
  };
  const start = (n: number): void => {
    const kids = children.get(n) ?? [];
    if (kids.length === 0) {
      order.push(n);
      ack(parentOf[n]!);
      return;
    }
    pending.set(n, kids.length);
    for (const k of kids) queue.push(() => start(k));
  };
  for (const k of children.get(0) ?? []) queue.push(() => start(k));
  while (queue.length) queue.shift()!();
  return order;
}

function referenceWakeOrder(children: Map<number, number[]>): number[] {
  const order: number[] = [];
  const queue = [...(children.get(0) ?? [])];
  while (queue.length) {
    const n = queue.shift()!;
    order.push(n);
    queue.push(...(children.get(n) ?? []));
  }
  return order;
}

describe("power tree ordering (>= 50 devices)", () => {
  beforeEach(() => {
    RecordingDriver.calls = [];
  });

  for (const seed of [1, 7, 42]) {
    it(`sleep lowers children before parents, wake raises parents first (seed ${seed})`, async () => {
      const { kernel, root, shape, children } = await tree(60, seed);
      RecordingDriver.calls = [];
      root.sleepSystem("Software Sleep");
      await kernel.scheduler.runAll();
      expect(root.systemState).toBe("asleep");
      const sleep = RecordingDriver.calls.map((c) => Number(c.device.slice(3)));
      expect(RecordingDriver.calls.every((c) => c.state === 0)).toBe(true);
      expect(sleep).toEqual(referenceSleepOrder(children, shape));
      // Structural property, independent of sibling order: every child before its parent.
      const pos = new Map(sleep.map((d, i) => [d, i]));
      for (let i = 1; i <= 60; i++) if (shape[i]! !== 0) expect(pos.get(i)!).toBeLessThan(pos.get(shape[i]!)!);

      RecordingDriver.calls = [];
      root.wakeSystem("User");
      await kernel.scheduler.runAll();
      expect(root.systemState).toBe("on");
      const wake = RecordingDriver.calls.map((c) => Number(c.device.slice(3)));
      expect(RecordingDriver.calls.every((c) => c.state === 1)).toBe(true);
      expect(wake).toEqual(referenceWakeOrder(children));
      const wpos = new Map(wake.map((d, i) => [d, i]));
      for (let i = 1; i <= 60; i++) if (shape[i]! !== 0) expect(wpos.get(i)!).toBeGreaterThan(wpos.get(shape[i]!)!);
    });
  }
});

describe("IOPower plane and IOPowerManagement", () => {
  it("links parent -> IOPowerConnection -> child, under IORootParent and IOPMrootDomain", async () => {
    const { kernel, root } = await pmKernel();
    const a = addDevice(kernel, kernel.platform, "a");
    const b = addDevice(kernel, a, "b");
    await kernel.scheduler.runAll();
    const conn = b.getParentEntry("IOPower");
    expect(conn).toBeInstanceOf(IOPowerConnection);
    expect(conn!.getParentEntry("IOPower")).toBe(a);
    const aConn = a.getParentEntry("IOPower")!;
    expect(aConn.getParentEntry("IOPower")).toBe(root);
    const rootParent = root.getParentEntry("IOPower")!.getParentEntry("IOPower")!;
    expect(rootParent.className).toBe("IORootParent");
    expect(root.getProvider()).toBe(kernel.platform);
    expect(pmProp(a, "CurrentPowerState")).toBe(1);
    expect(pmProp(a, "MaxPowerState")).toBe(1);
    expect(pmProp(a, "CapabilityFlags")).toBe(0x8002);
    expect(pmProp(a, "DevicePowerState")).toBe(1);
    expect(pmProp(a, "ChildrenPowerState")).toBe(1);
    expect(pmProp(a, "DesiredPowerState")).toBeUndefined();
    expect(pmProp(a, "MachineState")).toBeUndefined();
    expect(pmProp(root, "CurrentPowerState")).toBe(4);
    root.sleepSystem();
    await kernel.scheduler.runAll();
    expect(pmProp(b, "CapabilityFlags")).toBe(0); // shown even when zero, as modern ioreg dumps show it
    expect(root.getProperty("IOSleepSupported")).toBe(true);
  });

  it("PMstop leaves the tree and frees the connection", async () => {
    const { kernel } = await pmKernel();
    const a = addDevice(kernel, kernel.platform, "a");
    await kernel.scheduler.runAll();
    const before = IOPowerConnection.prototype && (await import("../object/index.ts")).OSMetaClass.getMetaClassWithName("IOPowerConnection")!.getInstanceCount();
    a.PMstop();
    await kernel.scheduler.runAll();
    const after = (await import("../object/index.ts")).OSMetaClass.getMetaClassWithName("IOPowerConnection")!.getInstanceCount();
    expect(after).toBe(before - 1);
    expect(a.inPlane("IOPower")).toBe(false);
    expect(a.getProperty("IOPowerManagement")).toBeUndefined();
  });

  it("desired state is the max over power clients; ChildProxy is ignored with real children", async () => {
    const { kernel } = await pmKernel();
    const three = [
      { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
      { version: 1, capabilityFlags: 0x10000, outputPowerCharacter: 0x10000, inputPowerRequirement: 2 },
      { version: 1, capabilityFlags: 0x8002, outputPowerCharacter: 2, inputPowerRequirement: 2 },
    ];
    const d = addDevice(kernel, kernel.platform, "d", (x) => { x.states = three; });
    await kernel.scheduler.runAll();
    expect(d.getPowerState()).toBe(2); // makeUsable
    d.changePowerStateToPriv(0);
    d.changePowerStateTo(1);
    await kernel.scheduler.runAll();
    expect(d.getPowerState()).toBe(1);
    expect(pmProp(d, "DriverPowerState")).toBe(1);
    d.changePowerStateTo(0);
    await kernel.scheduler.runAll();
    expect(d.getPowerState()).toBe(0);
    d.temporaryPowerClampOn();
    await kernel.scheduler.runAll();
    expect(d.getPowerState()).toBe(2);
    const child = addDevice(kernel, d, "child");
    child.changePowerStateToPriv(0);
    await kernel.scheduler.runAll();
    // With a real child, ChildProxy no longer counts; the child wants nothing, so d drops.
    expect(pmOf(d)!.childConns.length).toBe(1);
    expect(d.getPowerState()).toBe(0);
    child.makeUsable();
    await kernel.scheduler.runAll();
    expect(d.getPowerState()).toBe(2); // the child's need raises its parent first
    expect(child.getPowerState()).toBe(1);
  });

  it("activityTickle raises the device; the idle timer lowers it one state per idle period", async () => {
    const { kernel } = await pmKernel();
    const d = addDevice(kernel, kernel.platform, "idle");
    await kernel.scheduler.runAll();
    d.setIdleTimerPeriod(5);
    await kernel.scheduler.advance(4_000);
    expect(d.activityTickle(1, 1)).toBe(true);
    await kernel.scheduler.advance(4_000);
    expect(d.getPowerState()).toBe(1); // tickled 4 s ago
    await kernel.scheduler.advance(1_500);
    expect(d.getPowerState()).toBe(0);
    expect(d.activityTickle(1, 1)).toBe(false);
    await kernel.scheduler.runUntilIdle();
    expect(d.getPowerState()).toBe(1);
    expect(pmProp(d, "IdleTimerPeriod")).toBe(5000);
    d.setIdleTimerPeriod(0);
  });
});
