/**
 * pmset's report layouts: `pmset -g assertions` (the system-wide table, assertions by owning
 * process, kernel assertions), `pmset -g log` (the PM event log table) and `pmset -g sched`.
 * Virtual time is shown as wall time from the Mac absolute-time epoch, 2001-01-01 00:00:00 UTC.
 */
import { SYSTEM_WIDE_TYPES, type IOPMrootDomain, type PMLogEvent } from "../../kernel/index.ts";

const EPOCH_MS = Date.UTC(2001, 0, 1);
const pad2 = (n: number): string => String(n).padStart(2, "0");

/** `YYYY-MM-DD HH:MM:SS +0000` for a virtual time in ns. */
export function pmTimestamp(ns: number): string {
  const d = new Date(EPOCH_MS + Math.floor(ns / 1e6));
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** `MM/DD/YYYY HH:MM:SS` (pmset -g sched). */
export function schedTimestamp(ns: number): string {
  const d = new Date(EPOCH_MS + Math.floor(ns / 1e6));
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** Parses pmset's `"MM/dd/yy HH:mm:ss"` into virtual ns, or undefined. */
export function parseSchedDate(text: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [, mo, da, yr, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const year = yr < 100 ? 2000 + yr : yr;
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(year, mo - 1, da, h, mi, s) - EPOCH_MS;
  return ms < 0 ? undefined : ms * 1e6;
}

const hms = (ns: number): string => {
  const s = Math.max(0, Math.floor(ns / 1e9));
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
};

const KERNEL_BITS: [number, string][] = [[0x1, "CPU"], [0x2, "PreventSystemIdleSleep"], [0x4, "USB"], [0x8, "BT-HID"], [0x10, "ExternalMedia"], [0x40, "PreventDisplaySleep"], [0x100, "MagicWake"], [0x200, "NetworkKeepAlive"]];
const bitNames = (bits: number): string => KERNEL_BITS.filter(([b]) => (bits & b) !== 0).map(([b, n]) => `0x${b.toString(16)}=${n}`).join(",");

/** `pmset -g assertions`. */
export function formatAssertions(root: IOPMrootDomain): string {
  const now = root.pm.scheduler.now();
  const a = root.assertions;
  const lines = [pmTimestamp(now), "Assertion status system-wide:"];
  for (const t of SYSTEM_WIDE_TYPES) lines.push(`   ${t.padEnd(30)} ${a.count(t)}`);
  lines.push("Listed by owning process:");
  for (const x of a.user.values()) {
    lines.push(`   pid ${x.pid}(${x.processName}): [0x${x.id.toString(16).padStart(16, "0")}] ${hms(now - x.createdNs)} ${x.type} named: "${x.name}" ${x.level === 0 ? "(level off)" : ""}`.trimEnd());
    if (x.details !== undefined) lines.push(`\tDetails: ${x.details}`);
    if (x.timeoutS !== undefined && x.timer) {
      const left = Math.max(0, Math.ceil((x.createdNs + x.timeoutS * 1e9 - now) / 1e9));
      lines.push(`\tTimeout will fire in ${left} secs Action=${x.timeoutAction}`);
    }
  }
  if (a.kernel.size > 0) {
    lines.push(`Kernel Assertions: ${bitNames(a.driverBits())}`);
    for (const k of a.kernel.values()) {
      lines.push(`   id=${k.id}  level=${k.level} ${bitNames(k.bits)} mod=${schedTimestamp(k.createdNs)} description=${k.description} owner=${k.owner}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** `pmset -g log`. */
export function formatLog(events: readonly PMLogEvent[]): string {
  const row = (ts: string, domain: string, msg: string, dur: string, delay: string): string =>
    `${ts.padEnd(25)} ${domain.padEnd(21)}\t${msg.padEnd(79)}\t${dur.padEnd(10)}\t${delay.padEnd(10)}`.trimEnd();
  const lines = [row("Time stamp", "Domain", "Message", "Duration", "Delay"), row("==========", "======", "=======", "========", "=====")];
  for (const e of events) lines.push(row(pmTimestamp(e.timeNs), e.domain, e.message, e.durationS !== undefined ? `${e.durationS} secs` : "", ""));
  const sleeps = events.filter((e) => e.domain === "Sleep" && e.message.startsWith("Entering")).length;
  lines.push("", `Total Sleep/Wakes since boot:${sleeps}`);
  return `${lines.join("\n")}\n`;
}

/** `pmset -g sched`. */
export function formatSched(root: IOPMrootDomain): string {
  const wakes = root.scheduledWakes;
  if (wakes.length === 0) return "";
  const lines = ["Scheduled power events:"];
  wakes.forEach((w, i) => lines.push(` [${i}]  wake at ${schedTimestamp(w.atNs)} by 'pmset'`));
  return `${lines.join("\n")}\n`;
}
