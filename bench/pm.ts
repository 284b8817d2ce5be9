/**
 * `npm run bench -- pm [cycles] [devices] [machineCycles]`: system sleep/wake cycles on virtual time,
 * two ways:
 *   1. a generated power tree (default 10,000 cycles of 200 devices, seed 1) — the issue's target;
 *   2. the default virtual Mac, VirtualMac1,1 booted with the bundled extensions as `iokit cycle
 *      sleep` boots it (default 10,000 cycles; 0 skips it).
 * Each prints wall and CPU time, virtual time, PM work-queue items, heap used at start / middle /
 * end (after a GC when `--expose-gc` is available) and the instance-count drift per class, which
 * must be empty.
 *
 * There is no peer to run side by side: SleepX drives real hardware (a cycle takes seconds).
 */
import { bootPowerMachine, defaultExtensionsFolder } from "../src/host/index.ts";
import { generatePowerMachine, OSMetaClass, runSleepCycles, type PowerMachine } from "../src/kernel/index.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const counts = (): Map<string, number> => new Map(OSMetaClass.all().map((m) => [m.className, m.getInstanceCount()]));

async function measure(title: string, machine: PowerMachine, cycles: number): Promise<void> {
  const c0 = counts();
  const heaps: [string, number][] = [["start", heapMB()]];
  let mid: Map<string, number> | undefined;
  const q0 = machine.rootDomain.pm.queue.executed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await runSleepCycles(machine, {
    count: cycles,
    timings: false,
    onCycle: (n) => {
      if (n === Math.floor(cycles / 2)) {
        heaps.push(["middle", heapMB()]);
        mid = counts();
      }
    },
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  heaps.push(["end", heapMB()]);
  const c1 = counts();
  const drift = [...c1].filter(([k, v]) => v !== (c0.get(k) ?? 0) || (mid !== undefined && v !== (mid.get(k) ?? 0)));
  const os = await import("node:os");
  console.log(`pm: ${title}: ${report.cycles} sleep/wake cycles, ${machine.devices.length} power-managed devices`);
  console.log(`  wall ${(wallMs / 1000).toFixed(2)} s (${((wallMs * 1000) / Math.max(1, report.cycles)).toFixed(1)} µs/cycle), CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, virtual ${(report.virtualMs / 1000).toFixed(1)} s`);
  console.log(`  load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs`);
  console.log(`  PM work-queue items ${machine.rootDomain.pm.queue.executed - q0}, failures ${report.failures.length}`);
  console.log(`  heap used (MB${gc ? ", after GC" : ", no --expose-gc"}): ${heaps.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`);
  console.log(`  instance drift: ${drift.length === 0 ? "none" : drift.map(([k, v]) => `${k} ${c0.get(k)}→${mid?.get(k)}→${v}`).join(", ")}`);
}

export default async function pm(args: string[]): Promise<void> {
  const cycles = Number(args[0] ?? 10_000);
  const devices = Number(args[1] ?? 200);
  const machineCycles = Number(args[2] ?? 10_000);
  await measure(`generated tree (seed 1)`, await generatePowerMachine({ devices, seed: 1 }), cycles);
  if (machineCycles > 0) {
    const t0 = performance.now();
    const m = await bootPowerMachine({ extensions: [defaultExtensionsFolder()] });
    console.log(`  (VirtualMac1,1 booted in ${(performance.now() - t0).toFixed(0)} ms)`);
    await measure("VirtualMac1,1 (default machine, bundled extensions)", m, machineCycles);
  }
}
