/**
 * `npm run bench -- pm [cycles] [devices]`: system sleep/wake cycles over a generated power tree on
 * virtual time (default 10,000 cycles of 200 devices, seed 1). Prints wall time, virtual time,
 * setPowerState transitions, heap used at start / middle / end (after a GC when `--expose-gc` is
 * available) and the instance-count drift per class, which must be empty.
 *
 * There is no peer to run side by side: SleepX drives real hardware (a cycle takes seconds).
 */
import { generatePowerMachine, OSMetaClass, runSleepCycles } from "../src/kernel/index.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

export default async function pm(args: string[]): Promise<void> {
  const cycles = Number(args[0] ?? 10_000);
  const devices = Number(args[1] ?? 200);
  const machine = await generatePowerMachine({ devices, seed: 1 });
  const counts = (): Map<string, number> => new Map(OSMetaClass.all().map((m) => [m.className, m.getInstanceCount()]));
  const c0 = counts();
  let transitions = 0;
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
  transitions = machine.rootDomain.pm.queue.executed - q0;
  const c1 = counts();
  const drift = [...c1].filter(([k, v]) => v !== (c0.get(k) ?? 0) || (mid !== undefined && v !== (mid.get(k) ?? 0)));
  console.log(`pm: ${report.cycles} sleep/wake cycles, ${devices} devices (seed 1)`);
  console.log(`  wall ${(wallMs / 1000).toFixed(2)} s (${((wallMs * 1000) / Math.max(1, report.cycles)).toFixed(1)} µs/cycle), CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, virtual ${(report.virtualMs / 1000).toFixed(1)} s`);
  console.log(`  load average ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")} on ${(await import("node:os")).cpus().length} CPUs`);
  console.log(`  PM work-queue items ${transitions}, failures ${report.failures.length}`);
  console.log(`  heap used (MB${gc ? ", after GC" : ", no --expose-gc"}): ${heaps.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`);
  console.log(`  instance drift: ${drift.length === 0 ? "none" : drift.map(([k, v]) => `${k} ${c0.get(k)}→${mid?.get(k)}→${v}`).join(", ")}`);
}
