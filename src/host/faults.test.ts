/**
 * Misbehaving virtual hardware: each fault makes a driver fail the way a careful driver does — one
 * log line, the device degraded or left alone — and the rest of the machine still boots and works.
 */
import { describe, expect, it } from "vitest";
import { defaultMachine, fromJS } from "../drivers/index.ts";
import type { OSValue } from "../libkern/index.ts";
import { bootSystem, settle } from "./index.ts";
import { testExtensions } from "./testExtensions.ts";

/** The default machine with `faults` on the PCI device named `name` (or USB port `port` of XHC1). */
function faulty(name: string, faults: string[], port?: number, extra: Record<string, unknown> = {}): OSValue {
  const m = defaultMachine() as Map<string, OSValue>;
  const dev = (m.get("pci") as OSValue[]).find((d) => (d as Map<string, OSValue>).get("name") === name) as Map<string, OSValue>;
  const target = port === undefined ? dev : ((dev.get("usb") as OSValue[]).find((u) => Number(((u as Map<string, OSValue>).get("port") as { value: bigint }).value) === port) as Map<string, OSValue>);
  target.set("faults", fromJS(faults));
  for (const [k, v] of Object.entries(extra)) target.set(k, fromJS(v));
  return m;
}

async function boot(machine: OSValue) {
  const sys = await bootSystem({ machine, extensions: [await testExtensions()] });
  expect(sys.stats.quiet).toBe(true);
  expect(sys.kernel.registry.findByClass("IOEthernetInterface")).toHaveLength(1); // the rest still works
  return sys;
}

describe("misbehaving devices", () => {
  it("a stuck UART interrupt is masked after 64 spurious interrupts and the port falls back to polling", async () => {
    const sys = await boot(faulty("UART", ["stuck-interrupt"]));
    expect(sys.kernel.logRing.texts().filter((t) => t.includes("interrupts without data; interrupt masked"))).toHaveLength(1);
    const client = sys.kernel.registry.findByClass("IOSerialBSDClient").find((c) => c.getProperty("IOTTYBaseName") === "serial1");
    const bsd = client as unknown as { openPort(): number; read(): Uint8Array };
    expect(bsd.openPort()).toBe(0);
    sys.machine.uart?.receive([0x4f, 0x4b]);
    await sys.kernel.scheduler.advance(20);
    expect(Array.from(bsd.read())).toEqual([0x4f, 0x4b]);
  });

  it("AppleSamplePCI masks a stuck interrupt once and logs it", async () => {
    const sys = await boot(faulty("SMPL", ["stuck-interrupt"]));
    expect(sys.kernel.logRing.texts().filter((t) => t.includes("AppleSamplePCI: interrupt stuck asserted"))).toHaveLength(1);
    expect(sys.kernel.registry.findByClass("AppleSamplePCI")[0]?.getProperty("InterruptStuck")).toBe(true);
  });

  it("AppleSamplePCI refuses a DMA completion above its 32-bit mask", async () => {
    const sys = await boot(faulty("SMPL", ["dma-above-mask"]));
    expect(sys.kernel.logRing.texts().some((t) => /DMA completion at 0x1[0-9a-f]{10}, above its 32-bit mask; ignoring it/.test(t))).toBe(true);
    expect(sys.kernel.registry.findByClass("AppleSamplePCI")[0]?.getProperty("DMACompletions")).toBeUndefined();
  });

  it("a storage controller that misreports its DMA reach fails I/O; the disk shows no partitions", async () => {
    const sys = await boot(faulty("ANS1", ["dma-above-mask"], undefined, { "dma-address-bits": 32 }));
    expect(sys.kernel.logRing.texts().filter((t) => t.includes("AppleVirtualNVMeController: DMA fault"))).toHaveLength(1);
    const whole = sys.kernel.registry.findByClass("IOMedia").find((m) => m.getProperty("BSD Name") === "disk0");
    expect(whole?.getProperty("Content")).toBe("");
    expect(sys.kernel.registry.findByClass("IOMedia").some((m) => m.getProperty("BSD Name") === "disk0s1")).toBe(false);
  });

  it("short HID reports are dropped with one log line; the keyboard stays attached", async () => {
    const sys = await boot(faulty("XHC1", ["short-transfer"], 1));
    const kb = sys.machine.usb?.ports[1];
    kb?.pressKeys([4]);
    kb?.pressKeys([5]);
    await settle(sys.kernel, Promise.resolve(0));
    for (let i = 0; i < 5; i++) { await sys.kernel.scheduler.runUntilIdle(); await new Promise((r) => setImmediate(r)); }
    expect(sys.kernel.logRing.texts().filter((t) => t.includes("short report 4 of 8 bytes"))).toHaveLength(1);
    const hid = sys.kernel.registry.findByClass("IOUSBHostHIDDevice").find((h) => h.getProperty("Product") === "Magic Keyboard");
    expect(hid?.getProperty("ShortReports")).toBeDefined();
  });
});
