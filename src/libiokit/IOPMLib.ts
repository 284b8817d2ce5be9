/**
 * IOPMLib's system-power calls over an {@link IOKitLib} connection (the daemon's power routines,
 * see `host/powerRoutines.ts`): demand sleep, scheduling a power event, and a copy of the root
 * domain's state for `pmset -g`. Dates are CFAbsoluteTime: seconds since 2001-01-01 00:00:00 UTC.
 */
import { IOReturnError, kIOReturnBadArgument, type IOReturn } from "../base/index.ts";
import { Routine, type PMRepeatingEvents, type PMSnapshot, type WireValue } from "../ipc/index.ts";
import type { IOKitLib } from "./IOKitLib.ts";

/** The root domain's state and the kernel's wall clock when it was taken (Unix ms). */
export interface IOPMState extends PMSnapshot {
  readonly wallMs: number;
}

/** A wire value as plain data: dictionaries become objects. */
function fromWire(v: WireValue): unknown {
  if (Array.isArray(v)) return v.map(fromWire);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, fromWire(x as WireValue)]));
  return v;
}

const ioReturn = (v: WireValue): IOReturn => {
  if (typeof v !== "number") throw new IOReturnError(kIOReturnBadArgument, "kernel returned no IOReturn");
  return v;
};

/** The root domain's state (assertions, PM log, scheduled events, sleep timer). */
export async function IOPMCopyState(lib: IOKitLib): Promise<IOPMState> {
  const v = fromWire(await lib.call(Routine.pmCopyState)) as Partial<IOPMState> | null;
  if (v === null || typeof v !== "object" || typeof v.nowNs !== "number" || typeof v.wallMs !== "number" || !Array.isArray(v.events)) {
    throw new IOReturnError(kIOReturnBadArgument, "kernel returned a malformed power state");
  }
  return v as IOPMState;
}

/** `IOPMSleepSystem`: demand sleep (cannot be vetoed). */
export async function IOPMSleepSystem(lib: IOKitLib, reason = "Software Sleep"): Promise<IOReturn> {
  return ioReturn(await lib.call(Routine.pmSleepSystem, reason));
}

/** `IOPMCancelScheduledPowerEvent(time, owner, type)`: kIOReturnNotFound when nothing matched. */
export async function IOPMCancelScheduledPowerEvent(lib: IOKitLib, time: number, owner: string, type: string): Promise<IOReturn> {
  return ioReturn(await lib.call(Routine.pmCancelPowerEvent, time, type, owner));
}

/** `IOPMCancelAllScheduledPowerEvents`. */
export async function IOPMCancelAllScheduledPowerEvents(lib: IOKitLib): Promise<IOReturn> {
  return ioReturn(await lib.call(Routine.pmCancelPowerEvent, null, "wake", null));
}

/** `IOPMSchedulePowerEvent(time, owner, type)`: `time` in CFAbsoluteTime seconds; only `wake` is supported. */
export async function IOPMSchedulePowerEvent(lib: IOKitLib, time: number, owner: string, type: string): Promise<IOReturn> {
  return ioReturn(await lib.call(Routine.pmSchedulePowerEvent, time, type, owner));
}

/**
 * `IOPMSetPMPreferences`: sets `value` of each `[source, key, value]` (`source` "AC Power" or
 * "Battery Power", `key` pmset's name); all or nothing, kIOReturnBadArgument for an unknown key
 * or a value out of range.
 */
export async function IOPMSetPMPreferences(lib: IOKitLib, settings: readonly (readonly [string, string, number])[]): Promise<IOReturn> {
  return ioReturn(await lib.call(Routine.pmSetSettings, settings.map((t) => [...t])));
}

/** `IOPMScheduleRepeatingPowerEvent`: replaces the repeating power-on/power-off pair. */
export async function IOPMScheduleRepeatingPowerEvent(lib: IOKitLib, events: PMRepeatingEvents): Promise<IOReturn> {
  const slot = (e: PMRepeatingEvents["RepeatingPowerOn"]): WireValue[] => (e ? [e.eventtype, e.time, e.weekdays] : [null, null, null]);
  return ioReturn(await lib.call(Routine.pmSetRepeating, ...slot(events.RepeatingPowerOn), ...slot(events.RepeatingPowerOff)));
}

/** `IOPMCancelAllRepeatingPowerEvents`. */
export async function IOPMCancelAllRepeatingPowerEvents(lib: IOKitLib): Promise<IOReturn> {
  return IOPMScheduleRepeatingPowerEvent(lib, {});
}
