/**
 * A plain-data picture of system power — what `pmset -g` reads: the clock, the sleep timer, the
 * assertion tables, the PM event log and the scheduled power events. Tools format it the same way
 * whether the root domain is in their own process or in a daemon (where it crosses the socket as a
 * dictionary, see `host/powerRoutines.ts`). Only numbers, strings, booleans, arrays and objects.
 */
import type { PMSnapshot } from "../../ipc/index.ts";
import type { IOPMrootDomain } from "./IOPMrootDomain.ts";
import { SYSTEM_WIDE_TYPES } from "./IOPMAssertions.ts";

export type { PMKernelAssertionInfo, PMRepeatingEvent, PMRepeatingEvents, PMSettingsProfiles, PMScheduledEvent, PMSnapshot, PMUserAssertionInfo } from "../../ipc/index.ts";

/** Takes the snapshot of `root` now. */
export function pmSnapshot(root: IOPMrootDomain): PMSnapshot {
  const a = root.assertions;
  return {
    nowNs: root.pm.scheduler.now(),
    systemState: root.systemState,
    sleepTimerMinutes: root.sleepTimerMinutes,
    preventsIdleSleep: a.preventsIdleSleep(),
    assertionCounts: SYSTEM_WIDE_TYPES.map((t) => [t, a.count(t)] as const),
    userAssertions: [...a.user.values()].map((x) => ({
      pid: x.pid, processName: x.processName, id: Number(x.id), type: x.type, name: x.name, level: x.level, createdNs: x.createdNs,
      ...(x.details !== undefined ? { details: x.details } : {}),
      ...(x.timeoutS !== undefined && x.timer ? { timeoutS: x.timeoutS, timeoutAction: x.timeoutAction ?? "" } : {}),
    })),
    kernelAssertions: [...a.kernel.values()].map((k) => ({ id: k.id, level: k.level, bits: k.bits, createdNs: k.createdNs, description: k.description, owner: k.owner })),
    driverAssertionBits: a.driverBits(),
    events: root.pm.events.map((e) => ({ timeNs: e.timeNs, domain: e.domain, message: e.message, ...(e.durationS !== undefined ? { durationS: e.durationS } : {}) })),
    scheduled: root.scheduledWakes.map((w) => ({ atNs: w.atNs, eventtype: "wake", scheduledby: w.owner })),
    repeating: root.settings.repeating,
    settings: root.settings.profiles(),
  };
}
