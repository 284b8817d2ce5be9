/**
 * `npm run bench -- boot [cycles]`: (1) cold boot of the default machine VirtualMac1,1 to
 * quiescence, kext loading included (the first boot in this process reads and imports every kext;
 * later boots reuse the linked modules, as a warm system would) — wall time per boot; (2) USB hot
 * plug: attach/detach cycles of a descriptor-only device and of a HID keyboard (the full
 * IOUSBHostDevice → interface → IOUSBHostHIDDevice → IOHIDInterface → IOHIDEventDriver stack) on
 * one booted kernel, checking that OSMetaClass instance counts return to the baseline.
 * Extensions are built fresh into a temporary folder first (not timed).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseUSBDeviceDescription, usbPreset } from "../src/drivers/index.ts";
import { bootSystem, buildBundledExtensions } from "../src/host/index.ts";
import { OSMetaClass } from "../src/kernel/index.ts";

const counts = (): string => OSMetaClass.all().map((m) => `${m.className}=${m.getInstanceCount()}`).join(",");

export default async function (args: string[]): Promise<void> {
  const cycles = Number(args[0] ?? 10_000);
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
      const c = process.cpuUsage(c0);
      cpuBoots.push((c.user + c.system) / 1000);
      if (!last.stats.quiet) throw new Error("boot did not reach quiescence");
    }
    const warm = boots.slice(1).sort((a, b) => a - b);
    console.log(`boot VirtualMac1,1 (${last?.stats.devices} devices, ${last?.stats.kextsLoaded} kexts, ${last?.stats.driversMatched} drivers): first ${boots[0]?.toFixed(1)} ms, then median ${warm[5]?.toFixed(1)} ms (min ${warm[0]?.toFixed(1)}, max ${warm[9]?.toFixed(1)}) over 10 boots; CPU: first ${cpuBoots[0]?.toFixed(1)} ms, median ${cpuBoots.slice(1).sort((a, b) => a - b)[5]?.toFixed(1)} ms`);
    const sys = await bootSystem({ extensions: [dir] });
    const hc = sys.machine.usb;
    if (hc === undefined) throw new Error("no xHCI controller");
    for (const kind of ["flash", "keyboard"]) {
      const desc = parseUSBDeviceDescription(usbPreset(kind, 12) ?? new Map());
      const baseline = counts();
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < cycles; i++) {
        hc.plug(desc);
        await sys.kernel.scheduler.runUntilIdle();
        hc.unplug(12);
        await sys.kernel.scheduler.runUntilIdle();
      }
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const back = counts() === baseline;
      console.log(`USB attach/detach (${kind}) x${cycles}: ${(cycles / (ms / 1000)).toFixed(0)} cycles/s wall, ${(cycles / (cpuMs / 1000)).toFixed(0)} cycles per CPU-second (${(cpuMs / cycles * 1000).toFixed(1)} µs CPU/cycle); instance counts back to baseline: ${back ? "yes" : "NO"}`);
      if (!back) process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
