/**
 * `iokit cycle sleep --count N [--json] [--machine FILE] [--devices N] [--seed S] [--sleep SECONDS]`:
 * SleepX plus ioclasscount for iokit-ts. Runs N demand-sleep / RTC-wake cycles of a machine on
 * virtual time and reports per-device transition times, driver failures and the drift of every
 * class's instance count across the run.
 *
 * The machine is generated (see `generatePowerMachine`: `--devices`, `--seed`, or a JSON
 * `--machine` file with `devices`, `seed`, `maxDepth`, `ackDelayMs` and `faults`) until the
 * default virtual Mac exists; `loadMachine` is the one place to switch. With `--json` the output is
 * `{"cycles": N, "failures": [...], "instanceDrift": {"Class": delta, ...}, "virtualMs": T}`.
 * Exit status: 0 clean, 1 when a failure, a panic or a drift was seen, 64 for usage errors.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { generatePowerMachine, runSleepCycles, type PowerMachine, type PowerMachineOptions, type SleepCycleReport } from "../../kernel/index.ts";
import { getopt, GetoptError } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "cycle a machine through system sleep/wake and report timings, failures and instance drift";

const USAGE = "usage: iokit cycle sleep --count N [--json] [--machine FILE] [--devices N] [--seed S] [--sleep SECONDS]\n";

class UsageError extends Error {}

const int = (flag: string, v: string | undefined, min: number): number => {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`iokit cycle: ${flag} needs an integer >= ${min}, not '${v ?? ""}'`);
  return n;
};

/** Reads a machine description (JSON generator parameters). */
function machineFile(path: string, io: ToolIO): PowerMachineOptions {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, path), "utf8");
  } catch (e) {
    throw new UsageError(`iokit cycle: ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`iokit cycle: ${path}: not a machine description (JSON): ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new UsageError(`iokit cycle: ${path}: a machine description must be a JSON object`);
  const o = v as Record<string, unknown>;
  for (const k of ["devices", "seed", "maxDepth", "ackDelayMs"]) {
    if (o[k] !== undefined && (typeof o[k] !== "number" || !Number.isInteger(o[k]) || (o[k] as number) < 0)) throw new UsageError(`iokit cycle: ${path}: "${k}" must be a non-negative integer`);
  }
  if (o.devices !== undefined && ((o.devices as number) < 1 || (o.devices as number) > 100_000)) throw new UsageError(`iokit cycle: ${path}: "devices" must be 1…100000`);
  return o as PowerMachineOptions;
}

/** The seam: today a generated machine; the default virtual Mac replaces this. */
export function loadMachine(options: PowerMachineOptions): Promise<PowerMachine> {
  return generatePowerMachine(options);
}

/** The JSON form of a report. */
export function reportJSON(r: SleepCycleReport): { cycles: number; failures: unknown[]; instanceDrift: Record<string, number>; virtualMs: number } {
  return { cycles: r.cycles, failures: r.failures, instanceDrift: r.instanceDrift, virtualMs: r.virtualMs };
}

function formatText(r: SleepCycleReport, machine: PowerMachine, count: number): string {
  const lines = [`${r.cycles}/${count} sleep/wake cycles of ${machine.devices.length} devices in ${(r.virtualMs / 1000).toFixed(3)} s of virtual time`];
  lines.push(`failures: ${r.failures.length}`);
  for (const f of r.failures.slice(0, 20)) lines.push(`  cycle ${f.cycle}: [${f.kind}] ${f.message}`);
  if (r.failures.length > 20) lines.push(`  … ${r.failures.length - 20} more`);
  const drift = Object.entries(r.instanceDrift);
  lines.push(`instance drift: ${drift.length === 0 ? "none" : drift.map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${v}`).join(", ")}`);
  const slow = [...r.devices].sort((a, b) => b.maxMs - a.maxMs || a.name.localeCompare(b.name)).slice(0, 10);
  if (slow.length > 0 && r.cycles > 0) {
    lines.push("slowest devices (virtual ms):", `  ${"device".padEnd(22)} ${"class".padEnd(20)} ${"sleep avg".padStart(10)} ${"wake avg".padStart(10)} ${"max".padStart(10)}`);
    for (const d of slow) {
      lines.push(`  ${d.name.padEnd(22)} ${d.className.padEnd(20)} ${(d.sleepMsTotal / r.cycles).toFixed(3).padStart(10)} ${(d.wakeMsTotal / r.cycles).toFixed(3).padStart(10)} ${d.maxMs.toFixed(3).padStart(10)}`);
    }
  }
  if (r.panicLog !== undefined) lines.push("", "panic:", r.panicLog.trimEnd());
  return `${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  try {
    if (argv[0] !== "sleep") throw new UsageError(argv.length === 0 ? "" : `iokit cycle: unknown cycle '${argv[0]}' (only 'sleep')`);
    const { options, operands } = getopt(argv.slice(1), {
      long: [
        { name: "count", hasArg: "required" }, { name: "json", hasArg: "none" }, { name: "machine", hasArg: "required" },
        { name: "devices", hasArg: "required" }, { name: "seed", hasArg: "required" }, { name: "sleep", hasArg: "required" },
      ],
    }, "iokit cycle");
    if (operands.length > 0) throw new UsageError(`iokit cycle: unexpected argument '${operands[0]}'`);
    let count: number | undefined;
    let json = false;
    let opts: PowerMachineOptions = {};
    let sleepSeconds = 1;
    for (const o of options) {
      if (o.id === "count") count = int("--count", o.value, 1);
      else if (o.id === "json") json = true;
      else if (o.id === "machine") opts = { ...opts, ...machineFile(o.value!, io) };
      else if (o.id === "devices") opts = { ...opts, devices: int("--devices", o.value, 1) };
      else if (o.id === "seed") opts = { ...opts, seed: int("--seed", o.value, 0) };
      else if (o.id === "sleep") sleepSeconds = int("--sleep", o.value, 0);
    }
    if (count === undefined) throw new UsageError("iokit cycle: --count N is required");
    if ((opts.devices ?? 200) > 100_000) throw new UsageError("iokit cycle: --devices must be at most 100000");
    const machine = await loadMachine(opts);
    const report = await runSleepCycles(machine, { count, sleepSeconds });
    io.stdout(json ? `${JSON.stringify(reportJSON(report), null, 2)}\n` : formatText(report, machine, count));
    return report.failures.length > 0 || report.panicLog !== undefined || Object.keys(report.instanceDrift).length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof GetoptError) {
      if (e.message) io.stderr(`${e.message}\n`);
      io.stderr(USAGE);
      return 64;
    }
    throw e;
  }
}
