/**
 * `iokit pmset`: pmset on the embedded machine (a kernel with its root domain, booted once per
 * process, so successive runs in one process see the same state).
 *
 *   pmset -g [assertions | log | sched]      settings, assertions, PM event log, scheduled wakes
 *   pmset sleepnow                           demand sleep ("Sleeping now...")
 *   pmset schedule wake "MM/dd/yy HH:mm:ss"  an RTC wake at that (virtual) time
 *   pmset relative wake SECONDS              an RTC wake SECONDS from now
 *   pmset [-a|-b|-c] sleep MINUTES           the idle sleep timer
 */
import { IOKernel, IOPMrootDomain } from "../../kernel/index.ts";
import type { ToolIO } from "../ToolIO.ts";
import { formatAssertions, formatLog, formatSched, parseSchedDate } from "./formatPMSet.ts";

export const summary = "power management: -g assertions|log|sched, sleepnow, schedule/relative wake";

const USAGE = "Usage: pmset <options>\nSee pmset manpage for details\n";

let embedded: IOPMrootDomain | undefined;

/** The embedded machine's root domain (the seam for a booted default Mac). */
export function machineRootDomain(): IOPMrootDomain {
  if (!embedded) {
    const kernel = new IOKernel();
    embedded = IOPMrootDomain.forService(kernel.resources);
  }
  return embedded;
}

/** Runs pmset against `root` (tests hand in their own). */
export async function runPMSet(argv: string[], io: ToolIO, root: IOPMrootDomain): Promise<number> {
  const sched = root.pm.scheduler;
  await sched.runUntilIdle();
  const args = argv[0] === "-a" || argv[0] === "-b" || argv[0] === "-c" ? argv.slice(1) : argv;
  const [cmd, ...rest] = args;
  if (cmd === "-g") {
    const what = rest[0] ?? "live";
    if (what === "assertions") io.stdout(formatAssertions(root));
    else if (what === "log") io.stdout(formatLog(root.pm.events));
    else if (what === "sched") io.stdout(formatSched(root));
    else if (what === "live" || what === "custom") {
      io.stdout(`System-wide power settings:\nCurrently in use:\n ${"hibernatemode".padEnd(20)} 3\n ${"sleep".padEnd(20)} ${root.sleepTimerMinutes}${root.assertions.preventsIdleSleep() ? " (sleep prevented by assertions)" : ""}\n`);
    } else {
      io.stderr(`pmset: unrecognized -g option '${what}'\n`);
      return 1;
    }
    return 0;
  }
  if (cmd === "sleepnow") {
    const r = root.sleepSystem("Software Sleep");
    if (r !== 0) {
      io.stderr("Unable to sleep system: error 0x" + (r >>> 0).toString(16) + "\n");
      return 1;
    }
    io.stdout("Sleeping now...\n");
    await sched.runAll();
    return 0;
  }
  if (cmd === "relative" && rest[0] === "wake" && rest.length === 2) {
    const secs = Number(rest[1]);
    if (!/^\d+$/.test(rest[1]!) || !Number.isSafeInteger(secs)) {
      io.stderr(`pmset: Error: "${rest[1]}" is not a number of seconds\n`);
      return 1;
    }
    root.scheduleWake(sched.now() + secs * 1e9, "Alarm");
    return 0;
  }
  if (cmd === "schedule" && rest[0] === "wake" && rest.length >= 2) {
    const at = parseSchedDate(rest[1]!);
    if (at === undefined) {
      io.stderr(`Error: Badly formatted date "${rest[1]}"; use "MM/dd/yy HH:mm:ss"\n`);
      return 1;
    }
    if (at < sched.now()) {
      io.stderr("Error: You can't schedule an event in the past.\n");
      return 1;
    }
    root.scheduleWake(at, "Alarm");
    return 0;
  }
  if (cmd === "sleep" && rest.length === 1) {
    const m = Number(rest[0]);
    if (!/^\d+$/.test(rest[0]!)) {
      io.stderr(`pmset: Error: sleep value "${rest[0]}" is not a number of minutes\n`);
      return 1;
    }
    root.setSleepTimer(m);
    return 0;
  }
  io.stderr(USAGE);
  return 1;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  return runPMSet(argv, io, machineRootDomain());
}
