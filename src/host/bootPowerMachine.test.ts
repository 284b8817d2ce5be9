/**
 * Sleep/wake of the default virtual Mac: the families' nubs and controllers and the sample drivers
 * all take part in power management, in the order §8 describes — on sleep every child lowers
 * before its power parent, on wake every parent raises before its children — and a run leaves
 * every class's instance count where it was.
 */
import { describe, expect, it } from "vitest";
import { IOService, pmOf, runSleepCycles } from "../kernel/index.ts";
import { bootPowerMachine } from "./bootPowerMachine.ts";
import { testExtensions } from "./testExtensions.ts";

interface Call { readonly service: IOService; readonly state: number; readonly phase: string; readonly cycle: number }

describe("bootPowerMachine + runSleepCycles on VirtualMac1,1", () => {
  it("every power-managed driver sees sleep then wake each cycle, children first down and last up, counts flat", async () => {
    const m = await bootPowerMachine({ extensions: [await testExtensions()] });
    const classes = new Set(m.devices.map((d) => d.className));
    // The families and the samples of the default machine are all in the power tree.
    for (const c of ["AppleVirtualPCI", "IOPCIDevice", "AppleUSBXHCIPCI", "IOUSBHostDevice", "IOUSBHostHIDDevice", "Apple16X50PCI",
      "AppleVirtualNVMeController", "AppleVirtualLoopbackEthernet", "AppleSamplePCI", "SampleHIDMouse", "SampleUSBCDCSerial", "SampleVirtualVolume"]) {
      expect(classes, c).toContain(c);
    }
    // Each sample joined under the nearest power-managed provider, not the root domain.
    const parentOf = (s: IOService): IOService | undefined => pmOf(s)?.parentConn?.parentPM?.service;
    const sample = (c: string) => m.devices.find((d) => d.className === c)!;
    expect(parentOf(sample("AppleSamplePCI"))?.className).toBe("IOPCIDevice");
    expect(parentOf(sample("SampleHIDMouse"))?.className).toBe("IOUSBHostHIDDevice");
    expect(parentOf(sample("SampleUSBCDCSerial"))?.className).toBe("IOUSBHostDevice");
    expect(parentOf(sample("SampleVirtualVolume"))?.className).toBe("AppleVirtualNVMeController");

    const calls: Call[] = [];
    let cycle = 1;
    for (const d of m.devices) {
      const original = d.setPowerState.bind(d);
      d.setPowerState = (state: number, whatDevice: IOService) => {
        calls.push({ service: d, state, phase: m.rootDomain.systemState, cycle });
        return original(state, whatDevice);
      };
    }
    // Each device's state going into a cycle and the state it desires coming out of it: a driver
    // that lowered itself (SampleCharDevice powers its loopback down after an idle second with no
    // open file) is not raised again by the wake, as on xnu.
    const stateOf = () => new Map(m.devices.map((d) => [d, pmOf(d)!.currentPowerState]));
    const desireOf = () => new Map(m.devices.map((d) => [d, pmOf(d)!.desiredState()]));
    const before: Map<IOService, number>[] = [];
    const desired: Map<IOService, number>[] = [];
    const sleepSystem = m.rootDomain.sleepSystem.bind(m.rootDomain);
    m.rootDomain.sleepSystem = (...args) => { before.push(stateOf()); return sleepSystem(...args); };
    const r = await runSleepCycles(m, { count: 3, onCycle: (n) => { desired.push(desireOf()); cycle = n + 1; } });
    expect(r).toMatchObject({ cycles: 3, failures: [], instanceDrift: {} });
    const loweredThemselves = m.devices.filter((d) => desired[2]!.get(d) === 0).map((d) => d.className);
    expect(loweredThemselves).toEqual(["SampleCharDevice"]);
    const perDevice = new Map<IOService, number>();
    for (let c = 1; c <= 3; c++) {
      const sleep = calls.filter((x) => x.cycle === c && x.phase === "sleeping");
      const wake = calls.filter((x) => x.cycle === c && x.phase === "waking");
      for (const d of m.devices) {
        // Down to off on sleep (if not off already), back up to the desired state on wake (the
        // highest state for every driver that did not lower itself).
        const wasOn = before[c - 1]!.get(d)! > 0;
        const want = desired[c - 1]!.get(d)!;
        if (want > 0) expect(want, `${d.getName()} desire`).toBe(pmOf(d)!.table!.states.length - 1);
        expect(sleep.filter((x) => x.service === d).map((x) => x.state), `${d.getName()} sleep`).toEqual(wasOn ? [0] : []);
        expect(wake.filter((x) => x.service === d).map((x) => x.state), `${d.getName()} wake`).toEqual(want > 0 ? [want] : []);
        perDevice.set(d, (perDevice.get(d) ?? 0) + (wasOn ? 1 : 0) + (want > 0 ? 1 : 0));
        const parent = parentOf(d);
        if (parent === undefined || !m.devices.includes(parent)) continue;
        const i = (list: Call[], s: IOService) => list.findIndex((x) => x.service === s);
        if (wasOn) expect(i(sleep, d), `${d.getName()} lowers before ${parent.getName()}`).toBeLessThan(i(sleep, parent));
        if (want > 0) expect(i(wake, d), `${d.getName()} raises after ${parent.getName()}`).toBeGreaterThan(i(wake, parent));
      }
    }
    // The per-device timings cover every power-managed service: one change down and one up per
    // cycle, none left over from boot; the xHCI controller's asynchronous acknowledgement (1 ms)
    // is its transition time, and its parents' lowering waits for it.
    expect(r.devices.map((d) => d.name).sort()).toEqual(m.devices.map((d) => d.getName()).sort());
    for (const d of m.devices) expect(r.devices.find((x) => x.name === d.getName())!.transitions, d.getName()).toBe(perDevice.get(d));
    expect([...perDevice.values()].filter((n) => n === 6).length).toBe(m.devices.length - 1);
    const xhci = r.devices.find((d) => d.className === "AppleUSBXHCIPCI")!;
    expect([xhci.sleepMsTotal / 3, xhci.wakeMsTotal / 3]).toEqual([1, 1]);
    expect(r.devices.find((d) => d.className === "AppleVirtualPCI")!.sleepMsTotal / 3).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
