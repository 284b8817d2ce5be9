/**
 * The sleep/wake cycler behind `iokit cycle sleep` (SleepX plus ioclasscount): runs N demand
 * sleep / RTC-alarm wake cycles of a {@link PowerMachine} on virtual time and reports per-device
 * transition times, driver faults, and the drift of every class's instance count between the
 * first and the last cycle — a leak shows up as a class whose count grows with N.
 *
 * Driving time. A booted machine never runs out of work (drivers re-arm watchdog timers), so the
 * cycler never calls `runAll()`: it runs what is due, and while the awaited system state has not
 * arrived it jumps to the next deadline one task at a time ({@link driveUntil}). Each wait is
 * bounded in virtual time, so a transition that never completes is reported, not waited on.
 */
import { OSMetaClass } from "../object/index.ts";
import { NS_PER_MS } from "../scheduler/index.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { PowerMachine } from "./generatePowerMachine.ts";
import { pmOf } from "./IOServicePMMethods.ts";
import { bundleOf, type PowerTransition } from "./IOServicePM.ts";

/** One failure seen during the run. */
export interface CycleFailure {
  readonly cycle: number;
  readonly kind: string;
  readonly bundle: string;
  readonly service: string;
  readonly message: string;
}

/** Per-device timing, virtual milliseconds. */
export interface DeviceTiming {
  readonly name: string;
  readonly className: string;
  sleepMsTotal: number;
  wakeMsTotal: number;
  maxMs: number;
  transitions: number;
}

/** The result of a run; `toJSON()` gives `{cycles, failures, instanceDrift, virtualMs}`. */
export interface SleepCycleReport {
  readonly cycles: number;
  readonly failures: CycleFailure[];
  readonly instanceDrift: Record<string, number>;
  readonly virtualMs: number;
  readonly devices: DeviceTiming[];
  /** Set when a simulated panic stopped the run. */
  readonly panicLog?: string;
}

/** Options of {@link runSleepCycles}. */
export interface SleepCycleOptions {
  readonly count: number;
  /** Virtual seconds asleep before the RTC alarm wakes the machine (default 1). */
  readonly sleepSeconds?: number;
  /** Called after each cycle (benchmarks sample the heap). */
  readonly onCycle?: (cycle: number) => void;
  /** Record per-device timings (default true; the benchmark turns it off). */
  readonly timings?: boolean;
  /** Virtual seconds one sleep or wake may take before the run stops with a failure (default 600). */
  readonly transitionLimitSeconds?: number;
}

/**
 * Runs `scheduler` until `done()` holds, the queue empties, or virtual time passes `untilNs`:
 * everything due now, then one jump to the next deadline, and again. Returns `done()`.
 */
export async function driveUntil(scheduler: Scheduler, done: () => boolean, untilNs: number): Promise<boolean> {
  for (;;) {
    await scheduler.runUntilIdle();
    if (done()) return true;
    if (scheduler.now() >= untilNs || (await scheduler.runAll(1)) === 0) return done();
  }
}

const counts = (): Map<string, number> => new Map(OSMetaClass.all().map((m) => [m.className, m.getInstanceCount()]));

/** Runs the cycles; the machine ends awake (unless a panic halted it). */
export async function runSleepCycles(machine: PowerMachine, options: SleepCycleOptions): Promise<SleepCycleReport> {
  const { kernel, rootDomain } = machine;
  const sched = kernel.scheduler;
  const ctx = rootDomain.pm;
  const failures: CycleFailure[] = [];
  let cycle = 0;
  const unsubscribe = ctx.onFault((f) => {
    if (failures.length < 1000) failures.push({ cycle, kind: f.kind, bundle: f.bundle, service: f.service, message: f.message });
  });
  const timing = new Map<object, DeviceTiming>();
  let sleeping = true;
  const observe = (t: PowerTransition): void => {
    let d = timing.get(t.service);
    if (!d) timing.set(t.service, d = { name: t.service.getName(), className: t.service.className, sleepMsTotal: 0, wakeMsTotal: 0, maxMs: 0, transitions: 0 });
    const ms = (t.endNs - t.startNs) / NS_PER_MS;
    if (sleeping) d.sleepMsTotal += ms;
    else d.wakeMsTotal += ms;
    if (ms > d.maxMs) d.maxMs = ms;
    d.transitions++;
  };
  const limitNs = (options.transitionLimitSeconds ?? 600) * 1e9;
  const halted = (): boolean => ctx.panicLog !== undefined;
  // Awake and settled: the root domain is on and no device has a change in flight (an asynchronous
  // acknowledgement still pending from boot or from the wake belongs to that phase, not the next).
  const settled = (): boolean => rootDomain.systemState === "on" && ctx.queue.length === 0 && machine.devices.every((d) => !(pmOf(d)?.busy ?? false));
  await driveUntil(sched, () => halted() || settled(), sched.now() + limitNs);
  if (options.timings ?? true) for (const s of machine.devices) { const pm = pmOf(s); if (pm) pm.transitionObserver = observe; }
  const before = counts();
  const t0 = sched.now();
  const sleepNs = Math.max(0, options.sleepSeconds ?? 1) * 1e9;
  try {
    for (cycle = 1; cycle <= options.count; cycle++) {
      sleeping = true;
      rootDomain.sleepSystem("Software Sleep");
      await driveUntil(sched, () => halted() || rootDomain.systemState === "asleep", sched.now() + limitNs);
      if (halted()) break;
      if (rootDomain.systemState !== "asleep") {
        failures.push({ cycle, kind: "sleepFailed", bundle: "__kernel__", service: "IOPMrootDomain", message: `cycle ${cycle}: system did not reach sleep (state ${rootDomain.systemState})` });
        break;
      }
      sleeping = false;
      rootDomain.scheduleWake(sched.now() + sleepNs, "Alarm");
      await driveUntil(sched, () => halted() || settled(), sched.now() + sleepNs + limitNs);
      if (halted()) break;
      if ((rootDomain.systemState as string) !== "on") {
        failures.push({ cycle, kind: "wakeFailed", bundle: "__kernel__", service: "IOPMrootDomain", message: `cycle ${cycle}: system did not wake (state ${rootDomain.systemState})` });
        break;
      }
      if (!settled()) {
        // Awake, but a device is still changing state after the transition limit: name it, go on.
        for (const d of machine.devices.filter((x) => pmOf(x)?.busy)) {
          failures.push({ cycle, kind: "notSettled", bundle: bundleOf(d), service: d.getName(), message: `${bundleOf(d)}: ${d.getName()} still changing power state ${(limitNs / 1e9).toFixed(0)} s after the wake` });
        }
      }
      options.onCycle?.(cycle);
    }
  } finally {
    unsubscribe();
    for (const s of machine.devices) { const pm = pmOf(s); if (pm) pm.transitionObserver = undefined; }
  }
  const after = counts();
  const instanceDrift: Record<string, number> = {};
  for (const [name, n] of after) {
    const delta = n - (before.get(name) ?? 0);
    if (delta !== 0) instanceDrift[name] = delta;
  }
  const done = Math.min(cycle, options.count);
  return {
    cycles: ctx.panicLog !== undefined || failures.some((f) => f.kind.endsWith("Failed")) ? Math.max(0, done - 1) : done,
    failures, instanceDrift, virtualMs: (sched.now() - t0) / NS_PER_MS, devices: [...timing.values()],
    ...(ctx.panicLog !== undefined ? { panicLog: ctx.panicLog } : {}),
  };
}
