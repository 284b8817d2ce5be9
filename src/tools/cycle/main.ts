/**
 * `iokit cycle sleep --count N [--json]`: SleepX plus ioclasscount for iokit-ts. Runs N
 * demand-sleep / RTC-wake cycles of a machine on virtual time and reports per-device transition
 * times, driver failures (with the bundle id of the driver at fault) and the drift of every
 * class's instance count across the run.
 *
 * The machine is the default virtual Mac (VirtualMac1,1) booted with the bundled extensions, as
 * `iokit boot --once` boots it, or a machine description plist (`--machine FILE`), with the kexts
 * of `--extensions DIR` (repeatable; replaces the bundled folder). `--devices N [--seed S]`
 * cycles a generated tree of N power-managed devices instead (a stress test of the power tree,
 * no kexts). With `--json` the output is exactly
 * `{"cycles": N, "failures": [...], "instanceDrift": {"Class": delta, ...}, "virtualMs": T}`.
 * Exit status: 0 clean, 1 when a failure, a panic or a drift was seen (or the machine failed to
 * boot), 64 for usage errors.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { bootPowerMachine, defaultExtensionsFolder, MachineFileError, readMachineFile } from "../../host/index.ts";
import { generatePowerMachine, runSleepCycles, type PowerMachine, type SleepCycleReport } from "../../kernel/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { getopt, GetoptError } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "cycle a machine through system sleep/wake and report timings, failures and instance drift";

const USAGE = `usage: iokit cycle sleep --count N [--json] [--machine FILE] [--extensions DIR]... [--sleep SECONDS]
       iokit cycle sleep --count N [--json] --devices N [--seed S] [--sleep SECONDS]
  --count N         sleep/wake cycles to run (virtual time: a cycle costs microseconds of CPU)
  --json            print {"cycles", "failures", "instanceDrift", "virtualMs"} as JSON
  --machine FILE    machine description plist (docs/machine.md; default: VirtualMac1,1)
  --extensions DIR  kexts to load on demand (repeatable; default: the bundled extensions)
  --sleep SECONDS   virtual seconds asleep before the RTC alarm wakes the machine (default 1)
  --devices N       stress mode: cycle a generated power tree of N devices instead (no kexts)
  --seed S          the generated tree's seed (default 1)
`;

class UsageError extends Error {}

const int = (flag: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`iokit cycle: ${flag} needs an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}…${max}`}, not '${v ?? ""}'`);
  }
  return n;
};

/** Reads a machine description plist (XML or binary); the description itself is checked at boot. */
function readMachine(path: string, io: ToolIO): OSValue {
  try {
    return readMachineFile(resolve(io.cwd, path));
  } catch (e) {
    if (!(e instanceof MachineFileError)) throw e;
    throw new UsageError(`iokit cycle: ${path}: ${e.detail}`);
  }
}

/** The JSON form of a report: exactly the four keys of the issue. */
export function reportJSON(r: SleepCycleReport): { cycles: number; failures: unknown[]; instanceDrift: Record<string, number>; virtualMs: number } {
  return { cycles: r.cycles, failures: r.failures, instanceDrift: r.instanceDrift, virtualMs: r.virtualMs };
}

function formatText(r: SleepCycleReport, machine: PowerMachine, count: number): string {
  const lines = [`${r.cycles}/${count} sleep/wake cycles of ${machine.devices.length} power-managed devices in ${(r.virtualMs / 1000).toFixed(3)} s of virtual time`];
  lines.push(`failures: ${r.failures.length}`);
  for (const f of r.failures.slice(0, 20)) lines.push(`  cycle ${f.cycle}: [${f.kind}] ${f.message}`);
  if (r.failures.length > 20) lines.push(`  … ${r.failures.length - 20} more`);
  const drift = Object.entries(r.instanceDrift);
  lines.push(`instance drift: ${drift.length === 0 ? "none" : drift.map(([k, v]) => `${k} ${v > 0 ? "+" : ""}${v}`).join(", ")}`);
  // Every device by class when there are few (the default machine), else the slowest twenty.
  const shown = r.devices.length <= 40
    ? [...r.devices].sort((a, b) => a.className.localeCompare(b.className) || a.name.localeCompare(b.name))
    : [...r.devices].sort((a, b) => b.maxMs - a.maxMs || a.name.localeCompare(b.name)).slice(0, 20);
  if (shown.length > 0 && r.cycles > 0) {
    const w = Math.max(6, ...shown.map((d) => d.name.length));
    const c = Math.max(5, ...shown.map((d) => d.className.length));
    lines.push(`${r.devices.length <= 40 ? "devices" : "slowest devices"} (virtual ms per cycle):`, `  ${"device".padEnd(w)}  ${"class".padEnd(c)} ${"sleep avg".padStart(10)} ${"wake avg".padStart(10)} ${"max".padStart(10)}`);
    for (const d of shown) {
      lines.push(`  ${d.name.padEnd(w)}  ${d.className.padEnd(c)} ${(d.sleepMsTotal / r.cycles).toFixed(3).padStart(10)} ${(d.wakeMsTotal / r.cycles).toFixed(3).padStart(10)} ${d.maxMs.toFixed(3).padStart(10)}`);
    }
  }
  if (r.panicLog !== undefined) lines.push("", "panic:", r.panicLog.trimEnd());
  return `${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  try {
    if (argv[0] === "--help" || argv[0] === "-h") {
      io.stdout(USAGE);
      return 0;
    }
    if (argv[0] !== "sleep") throw new UsageError(argv.length === 0 ? "" : `iokit cycle: unknown cycle '${argv[0]}' (only 'sleep')`);
    const { options, operands } = getopt(argv.slice(1), {
      long: [
        { name: "count", hasArg: "required" }, { name: "json", hasArg: "none" }, { name: "machine", hasArg: "required" },
        { name: "extensions", hasArg: "required" }, { name: "devices", hasArg: "required" }, { name: "seed", hasArg: "required" },
        { name: "sleep", hasArg: "required" }, { name: "help", hasArg: "none" },
      ],
    }, "iokit cycle");
    if (options.some((o) => o.id === "help")) {
      io.stdout(USAGE);
      return 0;
    }
    if (operands.length > 0) throw new UsageError(`iokit cycle: unexpected argument '${operands[0]}'`);
    let count: number | undefined;
    let json = false;
    let machineFile: string | undefined;
    const extensions: string[] = [];
    let devices: number | undefined;
    let seed: number | undefined;
    let sleepSeconds = 1;
    for (const o of options) {
      if (o.id === "count") count = int("--count", o.value, 1);
      else if (o.id === "json") json = true;
      else if (o.id === "machine") machineFile = o.value!;
      else if (o.id === "extensions") extensions.push(resolve(io.cwd, o.value!));
      else if (o.id === "devices") devices = int("--devices", o.value, 1, 100_000);
      else if (o.id === "seed") seed = int("--seed", o.value, 0, 0xffff_ffff);
      else if (o.id === "sleep") sleepSeconds = int("--sleep", o.value, 0, 86_400);
    }
    if (count === undefined) throw new UsageError("iokit cycle: --count N is required");
    if (devices === undefined && seed !== undefined) throw new UsageError("iokit cycle: --seed goes with --devices N (the generated tree)");
    if (devices !== undefined && (machineFile !== undefined || extensions.length > 0)) throw new UsageError("iokit cycle: --devices (a generated tree) cannot be combined with --machine or --extensions");
    for (const dir of extensions) if (!existsSync(dir)) throw new UsageError(`iokit cycle: ${dir}: no such extensions folder`);
    let machine: PowerMachine;
    if (devices !== undefined) machine = await generatePowerMachine({ devices, seed: seed ?? 1 });
    else {
      const description = machineFile !== undefined ? readMachine(machineFile, io) : undefined;
      try {
        machine = await bootPowerMachine({ ...(description !== undefined ? { machine: description } : {}), extensions: extensions.length > 0 ? extensions : [defaultExtensionsFolder()] });
      } catch (e) {
        // A bad machine description names the device and key; nothing has booted.
        io.stderr(`iokit cycle: ${machineFile !== undefined ? `${machineFile}: ` : ""}${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    }
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
