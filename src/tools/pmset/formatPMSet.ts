/**
 * pmset's report layouts: `pmset -g assertions` (the system-wide table, assertions by owning
 * process, kernel assertions), `pmset -g log` (the PM event log table) and `pmset -g sched`.
 * They read a {@link PMSnapshot} (the same whether the root domain is in this process or in a
 * daemon) and print the machine's clock as wall time: `epochMs` is the Unix time of the clock's
 * zero — 2001-01-01 00:00:00 UTC (the Mac absolute-time epoch) for a kernel on virtual time, the
 * daemon's boot for a daemon.
 */
import { PM_POWER_SOURCES, type PMRepeatingEvent, type PMRepeatingEvents, type PMSettingsProfiles, type PMSnapshot } from "../../kernel/index.ts";
import type { AutoWakeEvent } from "./autoWakeFile.ts";

/** Unix ms of 2001-01-01 00:00:00 UTC: a virtual-time kernel's clock zero. */
export const EPOCH_MS = Date.UTC(2001, 0, 1);
const pad2 = (n: number): string => String(n).padStart(2, "0");

/** `YYYY-MM-DD HH:MM:SS +0000` for a clock time in ns. */
export function pmTimestamp(ns: number, epochMs = EPOCH_MS): string {
  const d = new Date(epochMs + Math.floor(ns / 1e6));
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** `MM/DD/YYYY HH:MM:SS` (pmset -g sched) for a Unix time in ms. */
export function schedTimestamp(ms: number): string {
  const d = new Date(Math.floor(ms));
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** Parses pmset's `"MM/dd/yy HH:mm:ss"` (UTC) into Unix ms, or undefined. */
export function parseSchedDate(text: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [, mo, da, yr, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const year = yr < 100 ? 2000 + yr : yr;
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(year, mo - 1, da, h, mi, s);
  return ms < EPOCH_MS || new Date(ms).getUTCDate() !== da ? undefined : ms;
}

const hms = (ns: number): string => {
  const s = Math.max(0, Math.floor(ns / 1e9));
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
};

const KERNEL_BITS: [number, string][] = [[0x1, "CPU"], [0x2, "PreventSystemIdleSleep"], [0x4, "USB"], [0x8, "BT-HID"], [0x10, "ExternalMedia"], [0x40, "PreventDisplaySleep"], [0x100, "MagicWake"], [0x200, "NetworkKeepAlive"]];
const bitNames = (bits: number): string => KERNEL_BITS.filter(([b]) => (bits & b) !== 0).map(([b, n]) => `0x${b.toString(16)}=${n}`).join(",");

/** `pmset -g assertions`. */
export function formatAssertions(snap: PMSnapshot, epochMs = EPOCH_MS): string {
  const now = snap.nowNs;
  const lines = [pmTimestamp(now, epochMs), "Assertion status system-wide:"];
  for (const [t, n] of snap.assertionCounts) lines.push(`   ${t.padEnd(30)} ${n}`);
  lines.push("Listed by owning process:");
  for (const x of snap.userAssertions) {
    lines.push(`   pid ${x.pid}(${x.processName}): [0x${x.id.toString(16).padStart(16, "0")}] ${hms(now - x.createdNs)} ${x.type} named: "${x.name}" ${x.level === 0 ? "(level off)" : ""}`.trimEnd());
    if (x.details !== undefined) lines.push(`\tDetails: ${x.details}`);
    if (x.timeoutS !== undefined) {
      const left = Math.max(0, Math.ceil((x.createdNs + x.timeoutS * 1e9 - now) / 1e9));
      lines.push(`\tTimeout will fire in ${left} secs Action=${x.timeoutAction}`);
    }
  }
  if (snap.kernelAssertions.length > 0) {
    lines.push(`Kernel Assertions: ${bitNames(snap.driverAssertionBits)}`);
    for (const k of snap.kernelAssertions) {
      lines.push(`   id=${k.id}  level=${k.level} ${bitNames(k.bits)} mod=${schedTimestamp(epochMs + k.createdNs / 1e6)} description=${k.description} owner=${k.owner}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `pmset -g log`. */
export function formatLog(events: PMSnapshot["events"], epochMs = EPOCH_MS): string {
  const row = (ts: string, domain: string, msg: string, dur: string, delay: string): string =>
    `${ts.padEnd(25)} ${domain.padEnd(21)}\t${msg.padEnd(79)}\t${dur.padEnd(10)}\t${delay.padEnd(10)}`.trimEnd();
  const lines = [row("Time stamp", "Domain", "Message", "Duration", "Delay"), row("==========", "======", "=======", "========", "=====")];
  for (const e of events) lines.push(row(pmTimestamp(e.timeNs, epochMs), e.domain, e.message, e.durationS !== undefined ? `${e.durationS} secs` : "", ""));
  const sleeps = events.filter((e) => e.domain === "Sleep" && e.message.startsWith("Entering")).length;
  lines.push("", `Total Sleep/Wakes since boot:${sleeps}`);
  return `${lines.join("\n")}\n`;
}

const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** How `pmset -g sched` names a set of days (bit 0 Monday … bit 6 Sunday). */
export function daysText(weekdays: number): string {
  if (weekdays === 0x7f) return "every day";
  if (weekdays === 0x1f) return "weekdays only";
  if (weekdays === 0x60) return "weekends only";
  return DAY_NAMES.filter((_, i) => (weekdays & (1 << i)) !== 0).join(",");
}

/** `7:00AM`, `12:30PM`, `12:00AM` for minutes after midnight. */
export function clockText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  return `${h % 12 === 0 ? 12 : h % 12}:${pad2(minutes % 60)}${h < 12 ? "AM" : "PM"}`;
}

/** `pmset -g sched`: the repeating pair, then the one-time events in date order. */
export function formatSched(events: readonly AutoWakeEvent[], repeating: PMRepeatingEvents = {}): string {
  const lines: string[] = [];
  const pair = [repeating.RepeatingPowerOn, repeating.RepeatingPowerOff].filter((e): e is PMRepeatingEvent => e !== undefined);
  if (pair.length > 0) lines.push("Repeating power events:", ...pair.map((e) => `  ${e.eventtype} at ${clockText(e.time)} ${daysText(e.weekdays)}`));
  if (events.length === 0) return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  lines.push("Scheduled power events:");
  [...events].sort((a, b) => a.dateMs - b.dateMs).forEach((w, i) => lines.push(` [${i}]  ${w.eventtype} at ${schedTimestamp(w.dateMs)}${w.scheduledby ? ` by '${w.scheduledby}'` : ""}`));
  return `${lines.join("\n")}\n`;
}

const settingLine = (key: string, value: number | string): string => ` ${key.padEnd(20)} ${value}`;

/** `pmset -g` / `pmset -g live`: the settings in use (the AC profile: the machine runs on AC). */
export function formatLive(snap: PMSnapshot): string {
  const lines = ["System-wide power settings:", "Currently in use:"];
  // Who holds idle sleep off, as powerd names them: the processes with an active assertion.
  const holders = [...new Set(snap.userAssertions.filter((a) => a.level > 0 && /IdleSystemSleep|PreventSystemSleep|NoIdleSleep/.test(a.type)).map((a) => a.processName))];
  for (const [key, value] of Object.entries(snap.settings["AC Power"] ?? {})) {
    let line = settingLine(key, value);
    if (key === "sleep" && snap.preventsIdleSleep) line += ` (sleep prevented by ${holders.length > 0 ? holders.join(", ") : "assertions"})`;
    lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}

/** `pmset -g custom`: every power source's profile. */
export function formatCustom(settings: PMSettingsProfiles): string {
  const lines: string[] = [];
  for (const source of PM_POWER_SOURCES) {
    const profile = settings[source];
    if (profile === undefined) continue;
    lines.push(`${source}:`, ...Object.entries(profile).map(([k, v]) => settingLine(k, v)));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * What pmset warns after a settings change, for every profile whose idle timers contradict each
 * other while system sleep is on: the display should sleep first (and at all), the disk should
 * have a timer.
 */
export function settingsWarnings(settings: PMSettingsProfiles): string {
  let out = "";
  for (const source of PM_POWER_SOURCES) {
    const p = settings[source];
    if (p === undefined || !p.sleep) continue;
    const display = (p.displaysleep ?? 0) === 0 || p.displaysleep! > p.sleep;
    const disk = (p.disksleep ?? 0) === 0;
    if (!display && !disk) continue;
    out += `Warning: Idle sleep timings for "${source}" may not behave as expected.\n`;
    if (display) out += "- Display sleep should have a lower timeout than system sleep.\n";
    if (disk) out += "- Disk sleep should be non-zero whenever system sleep is non-zero.\n";
  }
  return out;
}
