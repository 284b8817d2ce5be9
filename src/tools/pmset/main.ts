/**
 * `iokit pmset`: pmset against the machine the user is running.
 *
 *   pmset -g [live | assertions | log | sched]        settings, assertions, PM event log, scheduled events
 *   pmset sleepnow                                     demand sleep ("Sleeping now...")
 *   pmset schedule wake "MM/dd/yy HH:mm:ss" [owner]    a one-time wake at that date (UTC)
 *   pmset relative wake SECONDS                        a wake SECONDS from now
 *   pmset schedule cancel wake "MM/dd/yy HH:mm:ss" [owner], pmset schedule cancelall
 *   pmset repeat TYPE DAYS HH:mm:ss [TYPE DAYS HH:mm:ss], pmset repeat cancel
 *                                                      the repeating power-on/power-off pair
 *   pmset [-a|-b|-c] KEY VALUE [KEY VALUE …]           settings of all sources, battery, AC
 *   pmset -g custom                                    every power source's settings
 *
 * Where the state lives, as on a Mac: with a daemon (`IOKIT_SOCKET` names an `iokit boot` socket)
 * every command reads or changes the daemon's root domain through IOPMLib's calls. Without one,
 * the schedule (one-time and repeating) persists in a per-user `com.apple.AutoWake.plist` (see
 * autoWakeFile.ts) and the settings in a per-user `com.apple.PowerManagement.plist`
 * (pmPrefsFile.ts), so `pmset …` and a later `pmset -g …` agree across runs, while the live state
 * (assertions, the log, sleepnow) is that of the process's own embedded root domain.
 */
import { kIOReturnBadArgument, kIOReturnNotFound, kIOReturnNotReady, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { connectIOKit } from "../../host/index.ts";
import {
  IOKernel, IOPMSettings, IOPMrootDomain, PM_POWER_SOURCES, PM_SETTINGS, driveUntil, pmSnapshot, type PMPowerSource, type PMRepeatingEvents, type PMSnapshot,
} from "../../kernel/index.ts";
import {
  IOPMCancelAllScheduledPowerEvents, IOPMCancelScheduledPowerEvent, IOPMCopyState, IOPMSchedulePowerEvent, IOPMScheduleRepeatingPowerEvent, IOPMSetPMPreferences,
  IOPMSleepSystem, type IOKitLib,
} from "../../libiokit/index.ts";
import type { ToolIO } from "../ToolIO.ts";
import { AutoWakeFileError, autoWakePath, readAutoWake, readRepeating, writeAutoWake, type AutoWakeEvent } from "./autoWakeFile.ts";
import { EPOCH_MS, formatAssertions, formatCustom, formatLive, formatLog, formatSched, parseSchedDate, settingsWarnings } from "./formatPMSet.ts";
import { pmPrefsPath, readPMPrefs, writePMPrefs } from "./pmPrefsFile.ts";
import { USAGE, parseRepeat, parseSettings, type SettingChange } from "./parsePMSetArgs.ts";

export const summary = "power management: -g [live|custom|assertions|log|sched], settings, sleepnow, schedule/repeat/relative wake";


/** What pmset acts on: a root domain here, in a daemon, or here with the schedule on disk. */
export interface PMSetTarget {
  /** The state, and the Unix ms of its clock's zero. */
  state(): Promise<{ snap: PMSnapshot; epochMs: number }>;
  /** The one-time scheduled events. */
  scheduled(): Promise<AutoWakeEvent[]>;
  /** Unix ms now on the target's clock. */
  nowMs(): Promise<number>;
  sleepNow(): Promise<IOReturn>;
  /** kIOReturnNotReady for a date not in the future. */
  scheduleWake(dateMs: number, owner: string): Promise<IOReturn>;
  /** Cancels the wake at `dateMs` (to the second) by `owner`, or every event; kIOReturnNotFound if none. */
  cancel(which: { dateMs: number; owner: string } | "all"): Promise<IOReturn>;
  /** Sets every change or none: kIOReturnBadArgument for an unknown key or a value out of range. */
  setSettings(changes: readonly SettingChange[]): Promise<IOReturn>;
  /** The repeating power-on/power-off pair. */
  repeating(): Promise<PMRepeatingEvents>;
  /** Replaces the repeating pair ({} cancels it). */
  setRepeating(events: PMRepeatingEvents): Promise<IOReturn>;
}

/** A root domain in this process (its clock's zero is 2001-01-01). */
export function rootDomainTarget(root: IOPMrootDomain): PMSetTarget {
  const sched = root.pm.scheduler;
  const nowMs = (): number => EPOCH_MS + sched.now() / 1e6;
  return {
    state: async () => {
      await sched.runUntilIdle();
      return { snap: pmSnapshot(root), epochMs: EPOCH_MS };
    },
    scheduled: async () => root.scheduledWakes.map((w) => ({ dateMs: EPOCH_MS + w.atNs / 1e6, eventtype: "wake", scheduledby: w.owner })),
    nowMs: async () => nowMs(),
    sleepNow: async () => {
      const r = root.sleepSystem("Software Sleep");
      if (r !== kIOReturnSuccess) return r;
      // Through the sleep and, if a wake is scheduled, the wake (bounded: a day of virtual time).
      let slept = false;
      await driveUntil(sched, () => (slept ||= root.systemState === "asleep") && root.systemState === "on", sched.now() + 86_400e9);
      return kIOReturnSuccess;
    },
    scheduleWake: async (dateMs, owner) => {
      if (dateMs <= nowMs()) return kIOReturnNotReady;
      root.scheduleWake(Math.round((dateMs - EPOCH_MS) * 1e6), "Alarm", owner);
      return kIOReturnSuccess;
    },
    cancel: async (which) => {
      const at = (ns: number): number => Math.round((EPOCH_MS + ns / 1e6) / 1000);
      const n = root.cancelScheduledWakes((w) => which === "all" || (w.owner === which.owner && at(w.atNs) === Math.round(which.dateMs / 1000)));
      return n > 0 ? kIOReturnSuccess : kIOReturnNotFound;
    },
    setSettings: async (changes) => {
      const check = new IOPMSettings();
      if (!changes.every(([source, key, value]) => check.set(source, key, value))) return kIOReturnBadArgument;
      for (const [source, key, value] of changes) root.setPMSetting(source, key, value);
      return kIOReturnSuccess;
    },
    repeating: async () => root.settings.repeating,
    setRepeating: async (events) => (root.setRepeatingEvents(events, EPOCH_MS) ? kIOReturnSuccess : kIOReturnBadArgument),
  };
}

/** The daemon's root domain, through IOPMLib. */
export function daemonTarget(lib: IOKitLib): PMSetTarget {
  const state = async () => {
    const snap = await IOPMCopyState(lib);
    return { snap, epochMs: snap.wallMs - snap.nowNs / 1e6 };
  };
  return {
    state,
    scheduled: async () => {
      const { snap, epochMs } = await state();
      // The daemon's clock and the wall clock drift by a millisecond or so between calls: dates
      // have whole seconds, so round back to the second the event was scheduled for.
      return snap.scheduled.map((e) => ({ dateMs: Math.round((epochMs + e.atNs / 1e6) / 1000) * 1000, eventtype: e.eventtype, scheduledby: e.scheduledby }));
    },
    nowMs: async () => (await IOPMCopyState(lib)).wallMs,
    sleepNow: () => IOPMSleepSystem(lib),
    scheduleWake: (dateMs, owner) => IOPMSchedulePowerEvent(lib, (dateMs - EPOCH_MS) / 1000, owner, "wake"),
    cancel: (which) => (which === "all" ? IOPMCancelAllScheduledPowerEvents(lib) : IOPMCancelScheduledPowerEvent(lib, (which.dateMs - EPOCH_MS) / 1000, which.owner, "wake")),
    setSettings: (changes) => IOPMSetPMPreferences(lib, changes),
    repeating: async () => (await state()).snap.repeating,
    setRepeating: (events) => IOPMScheduleRepeatingPowerEvent(lib, events),
  };
}

/**
 * This process's root domain for the live state, the per-user AutoWake file for the schedule and
 * the PowerManagement file beside it for the settings (loaded into the root domain first).
 */
export function fileTarget(root: IOPMrootDomain, path: string): PMSetTarget {
  const live = rootDomainTarget(root);
  const prefsPath = pmPrefsPath(path);
  const saved = readPMPrefs(prefsPath);
  for (const source of PM_POWER_SOURCES) {
    for (const { key, defaultValue } of PM_SETTINGS) root.setPMSetting(source, key, saved[source]?.[key] ?? defaultValue);
  }
  return {
    ...live,
    setSettings: async (changes) => {
      const r = await live.setSettings(changes);
      if (r === kIOReturnSuccess) await writePMPrefs(prefsPath, root.settings.profiles());
      return r;
    },
    scheduled: async () => readAutoWake(path, Date.now()),
    nowMs: async () => Date.now(),
    scheduleWake: async (dateMs, owner) => {
      if (dateMs <= Date.now()) return kIOReturnNotReady;
      await writeAutoWake(path, [...readAutoWake(path, Date.now()), { dateMs, eventtype: "wake", scheduledby: owner }]);
      return kIOReturnSuccess;
    },
    cancel: async (which) => {
      const all = readAutoWake(path, Date.now());
      const keep = which === "all" ? [] : all.filter((e) => !(e.eventtype === "wake" && e.scheduledby === which.owner && Math.round(e.dateMs / 1000) === Math.round(which.dateMs / 1000)));
      if (keep.length === all.length) return kIOReturnNotFound;
      await writeAutoWake(path, keep);
      return kIOReturnSuccess;
    },
    repeating: async () => readRepeating(path),
    setRepeating: async (events) => {
      if (!new IOPMSettings().setRepeating(events)) return kIOReturnBadArgument;
      await writeAutoWake(path, readAutoWake(path, Date.now()), events);
      return kIOReturnSuccess;
    },
  };
}

let embedded: IOPMrootDomain | undefined;

/** The process's embedded root domain (a kernel on virtual time, created on first use). */
export function machineRootDomain(): IOPMrootDomain {
  embedded ??= IOPMrootDomain.forService(new IOKernel().resources);
  return embedded;
}

/** Runs pmset against `target` (or, as tests do, a root domain in this process). */
export async function runPMSet(argv: string[], io: ToolIO, on: PMSetTarget | IOPMrootDomain): Promise<number> {
  const target = on instanceof IOPMrootDomain ? rootDomainTarget(on) : on;
  const [cmd, ...rest] = argv;
  if (cmd === "-g") {
    const what = rest[0] ?? "live";
    if (what === "sched") {
      io.stdout(formatSched(await target.scheduled(), await target.repeating()));
      return 0;
    }
    if (what !== "assertions" && what !== "log" && what !== "live" && what !== "custom") {
      io.stderr(`pmset: unrecognized -g option '${what}'\n`);
      return 1;
    }
    const { snap, epochMs } = await target.state();
    if (what === "assertions") io.stdout(formatAssertions(snap, epochMs));
    else if (what === "log") io.stdout(formatLog(snap.events, epochMs));
    else if (what === "custom") io.stdout(formatCustom(snap.settings));
    else io.stdout(formatLive(snap));
    return 0;
  }
  if (cmd === "repeat") {
    const parsed = parseRepeat(rest);
    if (typeof parsed === "string") {
      io.stderr(parsed);
      return 1;
    }
    const r = await target.setRepeating(parsed);
    if (r !== kIOReturnSuccess) io.stderr(`Error: Unable to schedule the repeating event: error 0x${(r >>> 0).toString(16)}\n`);
    return r === kIOReturnSuccess ? 0 : 1;
  }
  if (cmd === "sleepnow") {
    const r = await target.sleepNow();
    if (r !== kIOReturnSuccess) {
      io.stderr(`Unable to sleep system: error 0x${(r >>> 0).toString(16)}\n`);
      return 1;
    }
    io.stdout("Sleeping now...\n");
    return 0;
  }
  if (cmd === "schedule" && (rest[0] === "cancelall" || rest[0] === "cancel")) {
    let which: { dateMs: number; owner: string } | "all" = "all";
    if (rest[0] === "cancel") {
      const dateMs = rest[1] === "wake" && (rest.length === 3 || rest.length === 4) ? parseSchedDate(rest[2]!) : undefined;
      if (dateMs === undefined) {
        io.stderr(rest[1] === "wake" && rest.length >= 3 ? `Error: Badly formatted date "${rest[2]}"; use "MM/dd/yy HH:mm:ss"\n` : USAGE);
        return 1;
      }
      which = { dateMs, owner: rest[3] ?? "pmset" };
    } else if (rest.length !== 1) {
      io.stderr(USAGE);
      return 1;
    }
    const r = await target.cancel(which);
    if (r === kIOReturnNotFound && which !== "all") io.stderr("Error: No matching scheduled event.\n");
    else if (r !== kIOReturnSuccess && r !== kIOReturnNotFound) io.stderr(`Error: Unable to cancel: error 0x${(r >>> 0).toString(16)}\n`);
    return r === kIOReturnSuccess || (r === kIOReturnNotFound && which === "all") ? 0 : 1;
  }
  let when: number | undefined;
  let owner = "pmset";
  if (cmd === "relative" && rest[0] === "wake" && rest.length === 2) {
    if (!/^\d+$/.test(rest[1]!) || !Number.isSafeInteger(Number(rest[1]))) {
      io.stderr(`pmset: Error: "${rest[1]}" is not a number of seconds\n`);
      return 1;
    }
    when = (await target.nowMs()) + Number(rest[1]) * 1000;
  } else if (cmd === "schedule" && rest[0] === "wake" && (rest.length === 2 || rest.length === 3)) {
    when = parseSchedDate(rest[1]!);
    if (when === undefined) {
      io.stderr(`Error: Badly formatted date "${rest[1]}"; use "MM/dd/yy HH:mm:ss"\n`);
      return 1;
    }
    owner = rest[2] ?? owner;
  }
  if (when !== undefined) {
    const r = await target.scheduleWake(when, owner);
    if (r === kIOReturnNotReady) io.stderr("Error: You can't schedule an event in the past.\n");
    else if (r !== kIOReturnSuccess) io.stderr(`Error: Unable to schedule the event: error 0x${(r >>> 0).toString(16)}\n`);
    return r === kIOReturnSuccess ? 0 : 1;
  }
  const settings = parseSettings(argv);
  if (typeof settings === "string") {
    io.stderr(settings);
    return 1;
  }
  const r = await target.setSettings(settings);
  if (r !== kIOReturnSuccess) {
    io.stderr(`pmset: Error: unable to apply the settings: error 0x${(r >>> 0).toString(16)}\n`);
    return 1;
  }
  io.stderr(settingsWarnings((await target.state()).snap.settings));
  return 0;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  try {
    if (io.env.IOKIT_SOCKET) {
      const { lib } = await connectIOKit({ env: io.env });
      try {
        return await runPMSet(argv, io, daemonTarget(lib));
      } finally {
        lib.close();
      }
    }
    const path = autoWakePath(io.env);
    return await runPMSet(argv, io, path === undefined ? machineRootDomain() : fileTarget(machineRootDomain(), path));
  } catch (e) {
    if (e instanceof AutoWakeFileError) {
      io.stderr(`pmset: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && /no iokit daemon socket/.test(e.message)) {
      io.stderr(`pmset: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
