/**
 * `npm run bench -- boot [cycles] [rounds]`: (1) cold boot of the default machine VirtualMac1,1 to
 * quiescence, kext loading included (the first boot in this process reads and imports every kext;
 * later boots reuse the imported modules, as a warm system would) — wall and CPU time per boot;
 * (2) USB hot plug: attach/detach cycles of a descriptor-only device and of a HID keyboard (the full
 * IOUSBHostDevice → interface → IOUSBHostHIDDevice → IOHIDInterface → IOHIDEventDriver stack) on
 * one booted kernel, after 1,000 untimed warm-up cycles (reported too: the JIT is still tiering up),
 * checking that OSMetaClass instance counts return to the baseline; (3) kext code per load:
 * `rounds` unload/load rounds of a sample kext (terminate, unload, load, match, start), with the
 * heap after a full GC along the way, which must stay flat. Prints the load average beside the
 * figures: on a shared machine, CPU time is the steadier measure.
 * Extensions are built fresh into a temporary folder first (not timed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseUSBDeviceDescription, usbPreset } from "../src/drivers/index.ts";
import { bootSystem, buildBundledExtensions, settleIdle, type BootedSystem } from "../src/host/index.ts";
import { OSMetaClass } from "../src/kernel/index.ts";

const counts = (sys: BootedSystem): string => OSMetaClass.all(sys.kernel.registry).map((m) => `${m.className}=${m.getInstanceCount()}`).join(",");
const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(" ");

async function hotPlug(sys: BootedSystem, kind: string, cycles: number): Promise<boolean> {
  const hc = sys.machine.usb;
  if (hc === undefined) throw new Error("no xHCI controller");
  const desc = parseUSBDeviceDescription(usbPreset(kind, 12) ?? new Map());
  const run = async (n: number): Promise<{ ms: number; cpu: number }> => {
    const t = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      hc.plug(desc);
      await sys.kernel.scheduler.runUntilIdle();
      hc.unplug(12);
      await sys.kernel.scheduler.runUntilIdle();
    }
    return { ms: performance.now() - t, cpu: cpuMs(process.cpuUsage(c0)) };
  };
  const baseline = counts(sys);
  const warm = await run(1000);
  const r = await run(cycles);
  const back = counts(sys) === baseline;
  console.log(`USB attach/detach (${kind}) x${cycles}: ${(cycles / (r.ms / 1000)).toFixed(0)} cycles/s wall, ${(cycles / (r.cpu / 1000)).toFixed(0)} cycles per CPU-second (${(r.cpu / cycles * 1000).toFixed(1)} µs CPU/cycle); warm-up x1000: ${(1000 / (warm.ms / 1000)).toFixed(0)}/s wall, ${(1000 / (warm.cpu / 1000)).toFixed(0)} per CPU-s; instance counts back to baseline: ${back ? "yes" : "NO"}; load average ${load()}`);
  return back;
}

async function kextRounds(sys: BootedSystem, id: string, rounds: number): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const heap = (): string => { gc(); gc(); return (process.memoryUsage().heapUsed / 1e6).toFixed(1); };
  const marks = [`0: ${heap()} MB`];
  const c0 = process.cpuUsage();
  for (let i = 1; i <= rounds; i++) {
    const u = await sys.runtime.unloadKextWithIdentifier(id, true);
    await settleIdle(sys.kernel, () => sys.runtime.loadsInFlight > 0);
    const l = await sys.runtime.loadKextWithIdentifier(id);
    await settleIdle(sys.kernel, () => sys.runtime.loadsInFlight > 0);
    if (u !== 0 || l !== 0) throw new Error(`round ${i}: unload ${u.toString(16)}, load ${l.toString(16)}`);
    if (i % Math.max(1, Math.floor(rounds / 4)) === 0) marks.push(`${i}: ${heap()} MB`);
  }
  console.log(`kext unload/load rounds (${id}) x${rounds}: heap after GC ${marks.join(", ")}; ${(cpuMs(process.cpuUsage(c0)) / rounds).toFixed(2)} ms CPU per round`);
}

export default async function (args: string[]): Promise<void> {
  const cycles = Number(args[0] ?? 10_000);
  const rounds = Number(args[1] ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), "iokit-bench-ext-"));
  try {
    await buildBundledExtensions(dir);
    const boots: number[] = [];
    const cpuBoots: number[] = [];
    let last;
    for (let i = 0; i < 11; i++) {
      const t = performance.now();
      const c0 = process.cpuUsage();
      last = await bootSystem({ extensions: [dir] });
      boots.push(performance.now() - t);
      cpuBoots.push(cpuMs(process.cpuUsage(c0)));
      if (!last.stats.quiet) throw new Error("boot did not reach quiescence");
    }
    const warm = boots.slice(1).sort((a, b) => a - b);
    console.log(`boot VirtualMac1,1 (${last?.stats.devices} devices, ${last?.stats.kextsLoaded} kexts, ${last?.stats.driversMatched} drivers): first ${boots[0]?.toFixed(1)} ms, then median ${warm[5]?.toFixed(1)} ms (min ${warm[0]?.toFixed(1)}, max ${warm[9]?.toFixed(1)}) over 10 boots; CPU: first ${cpuBoots[0]?.toFixed(1)} ms, median ${cpuBoots.slice(1).sort((a, b) => a - b)[5]?.toFixed(1)} ms; load average ${load()}`);
    const sys = await bootSystem({ extensions: [dir] });
    for (const kind of ["flash", "keyboard"]) if (!(await hotPlug(sys, kind, cycles))) process.exitCode = 1;
    await kextRounds(sys, "com.example.driver.SampleVirtualVolume", rounds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
