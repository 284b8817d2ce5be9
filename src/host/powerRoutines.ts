/**
 * The power routines the daemon adds to the kernel server, for `iokit pmset` against a running
 * machine (what powerd and the root domain's user client answer on a Mac):
 *
 *   io_pm_copy_state()                      the root domain's {@link PMSnapshot} plus the daemon's
 *                                           wall clock (`wallMs`), as a dictionary
 *   io_pm_sleep_system(reason)              `IOPMSleepSystem`: demand sleep; returns the IOReturn
 *   io_pm_schedule_power_event(seconds, type, owner)
 *                                           `IOPMSchedulePowerEvent`: `seconds` is the event's date
 *                                           as seconds since 2001-01-01 UTC (a CFAbsoluteTime); the
 *                                           daemon turns it into its own clock. Only `wake` is
 *                                           acted on; a past date is kIOReturnNotReady.
 *   io_pm_cancel_power_event(seconds, type, owner)
 *                                           `IOPMCancelScheduledPowerEvent`: the events at that date
 *                                           (to the second) of that owner; `seconds` null cancels
 *                                           every event (`IOPMCancelAllScheduledPowerEvents`).
 *                                           kIOReturnNotFound when none matched.
 *   io_pm_set_settings([[source, key, value], …])
 *                                           `IOPMSetPMPreferences`: sets each setting of each power
 *                                           source; all or nothing, kIOReturnBadArgument if one is
 *                                           unknown or out of range.
 *   io_pm_set_repeating(onType, onMinutes, onDays, offType, offMinutes, offDays)
 *                                           `IOPMScheduleRepeatingPowerEvent`: replaces the
 *                                           repeating pair (nulls: no event in that slot; all
 *                                           nulls is `IOPMCancelAllRepeatingPowerEvents`) and arms
 *                                           it on the daemon's clock (days and times in UTC).
 *
 * Plain objects cross as dictionaries and arrays ({@link toWire}); libiokit's IOPMLib decodes them.
 */
import { kIOReturnBadArgument, kIOReturnNotFound, kIOReturnNotReady, kIOReturnSuccess } from "../base/index.ts";
import { Routine, type WireValue } from "../ipc/index.ts";
import {
  IOPMSettings, PM_POWER_SOURCES, getPMRootDomain, pmSnapshot, type IOKernel, type IOKitServer, type PMPowerSource, type PMRepeatingEvent, type RoutineArgs,
} from "../kernel/index.ts";

/** Milliseconds from the Unix epoch to 2001-01-01 00:00:00 UTC (CFAbsoluteTime 0). */
const CF_EPOCH_MS = Date.UTC(2001, 0, 1);

/** A plain value (numbers, strings, booleans, arrays, objects) as a wire value. */
export function toWire(v: unknown): WireValue {
  if (Array.isArray(v)) return v.map(toWire);
  if (typeof v === "object" && v !== null) {
    return new Map(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, toWire(x)]));
  }
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  return null;
}

/** Adds the power routines to `server`. */
export function addPowerRoutines(server: IOKitServer, kernel: IOKernel): void {
  const root = () => getPMRootDomain(kernel.platform);
  server.addRoutine(Routine.pmCopyState, () => toWire({ ...pmSnapshot(root()), wallMs: Date.now() }));
  server.addRoutine(Routine.pmSleepSystem, (_s, a) => root().sleepSystem(a.optStr(0) ?? "Software Sleep"));
  server.addRoutine(Routine.pmSchedulePowerEvent, (_s, a) => {
    const seconds = a.values[0];
    const type = a.str(1);
    const owner = a.optStr(2) ?? "pmset";
    if (typeof seconds !== "number" || !Number.isFinite(seconds) || type !== "wake") return kIOReturnBadArgument;
    const r = root();
    const now = r.pm.scheduler.now();
    const atNs = now + Math.round((CF_EPOCH_MS + seconds * 1000 - Date.now()) * 1e6);
    if (atNs <= now) return kIOReturnNotReady;
    r.scheduleWake(atNs, "Alarm", owner);
    return kIOReturnSuccess;
  });
  server.addRoutine(Routine.pmCancelPowerEvent, (_s, a) => {
    const seconds = a.values[0];
    if (seconds !== null && (typeof seconds !== "number" || !Number.isFinite(seconds) || a.str(1) !== "wake")) return kIOReturnBadArgument;
    const owner = a.optStr(2) ?? "pmset";
    const r = root();
    const now = r.pm.scheduler.now();
    // The event's date on the wall clock, to the second (the clocks drift by a millisecond or so).
    const dateS = (atNs: number): number => Math.round((Date.now() - CF_EPOCH_MS + (atNs - now) / 1e6) / 1000);
    const n = r.cancelScheduledWakes((w) => seconds === null || (w.owner === owner && dateS(w.atNs) === Math.round(seconds)));
    return n > 0 ? kIOReturnSuccess : kIOReturnNotFound;
  });
  server.addRoutine(Routine.pmSetSettings, (_s, a) => {
    const list = a.values[0];
    if (!Array.isArray(list)) return kIOReturnBadArgument;
    const triples: [PMPowerSource, string, number][] = [];
    const check = new IOPMSettings();
    for (const t of list) {
      if (!Array.isArray(t) || t.length !== 3) return kIOReturnBadArgument;
      const [source, key, value] = t;
      if (!PM_POWER_SOURCES.includes(source as PMPowerSource) || typeof key !== "string" || typeof value !== "number") return kIOReturnBadArgument;
      if (!check.set(source as PMPowerSource, key, value)) return kIOReturnBadArgument;
      triples.push([source as PMPowerSource, key, value]);
    }
    const r = root();
    for (const [source, key, value] of triples) r.setPMSetting(source, key, value);
    return kIOReturnSuccess;
  });
  server.addRoutine(Routine.pmSetRepeating, (_s, a) => {
    const on = repeatingArg(a, 0);
    const off = repeatingArg(a, 3);
    const r = root();
    // The kernel's clock zero on the wall clock places the events' days and times.
    const epochMs = Date.now() - r.pm.scheduler.now() / 1e6;
    const ok = r.setRepeatingEvents({ ...(on ? { RepeatingPowerOn: on } : {}), ...(off ? { RepeatingPowerOff: off } : {}) }, epochMs);
    return ok ? kIOReturnSuccess : kIOReturnBadArgument;
  });
}

/** The repeating event in arguments i…i+2 (type, minutes, days), or undefined when the type is null. */
function repeatingArg(a: RoutineArgs, i: number): PMRepeatingEvent | undefined {
  const eventtype = a.optStr(i);
  return eventtype === undefined ? undefined : { eventtype, time: a.int(i + 1), weekdays: a.int(i + 2) };
}
