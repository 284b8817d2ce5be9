


import { beforeAll, describe, expect, it } from "vitest";
import { IOEthernetInterface, IOHIDEventDriver, IOSerialBSDClient, type HIDEvent } from "../drivers/index.ts";
import type { IORegistryEntry } from "../kernel/index.ts";
import { num } from "../libkern/index.ts";
import { bootSystem, type BootedSystem } from "./index.ts";
import { testExtensions } from "./testExtensions.ts";


let sys: BootedSystem;

beforeAll(async () => {
  sys = await bootSystem({ extensions: [await testExtensions()] });
}, 60_000);

/** Runs the scheduler and lets promise chains (USB transfers) settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await sys.kernel.scheduler.runUntilIdle();
    await new Promise((r) => setImmediate(r));
  }
}
const byClass = (name: string): IORegistryEntry[] => sys.kernel.registry.findByClass(name);
const chain = (e: IORegistryEntry): string[] => {
  const out: string[] = [];
  for (let c: IORegistryEntry | undefined = e; c; c = c.getParentEntry("IOService")) out.push(c.className);
  return out;
};

describe("booting the default machine", () => {
  it("loads the family kexts and reaches quiescence", () => {
    expect(sys.stats.quiet).toBe(true);
    const ids = sys.runtime.loadedKexts().map((k) => k.bundleID);
    for (const id of ["com.apple.iokit.IOPCIFamily", "com.apple.iokit.IOUSBHostFamily", "com.apple.iokit.IOHIDFamily", "com.apple.iokit.IOSerialFamily", "com.apple.iokit.IOStorageFamily", "com.apple.iokit.IONetworkingFamily"]) {
      expect(ids).toContain(id);
    }
  });

  it("builds Apple's stacks for every family", () => {
    expect(byClass("IOPCIDevice").length).toBeGreaterThanOrEqual(15);
    const hid = byClass("IOHIDInterface");
    expect(hid.length).toBe(3);
    expect(chain(hid[0] as IORegistryEntry).slice(0, 6)).toEqual(["IOHIDInterface", "IOUSBHostHIDDevice", "IOUSBHostInterface", "IOUSBHostDevice", "AppleUSBXHCIPCI", "IOPCIDevice"]);
    const media = byClass("IOMedia").map((m) => m.getProperty("BSD Name"));
    expect(media).toEqual(["disk0", "disk0s1", "disk0s2", "disk0s3", "disk0s4", "disk1"]);
    expect(byClass("IOSerialBSDClient").map((s) => s.getProperty("IOCalloutDevice"))).toContain("/dev/cu.serial1");
    expect(byClass("IOEthernetInterface")[0]?.getProperty("BSD Name")).toBe("en0");
  });

  it("decodes the partition table the RAM disk was formatted with", () => {
    const parts = byClass("IOMedia").filter((m) => m.getProperty("Whole") === false);
    expect(byClass("IOMedia").filter((m) => m.getProperty("Whole") === true).map((m) => m.getProperty("Content"))).toEqual(["GUID_partition_scheme", ""]);
    expect(parts.map((p) => p.getName())).toEqual(["EFI System Partition", "Macintosh HD", "Recovery", "RAID Member"]);
    // The RAID sample stripes the Apple_RAID member into a volume of its own.
    expect(chain(byClass("SampleVirtualVolumeDevice")[0] as IORegistryEntry).slice(0, 3)).toEqual(["SampleVirtualVolumeDevice", "SampleVirtualVolume", "IOMedia"]);
    expect(parts[1]?.getProperty("Content")).toBe("7C3457EF-0000-11AA-AA11-00306543ECAC");
  });

  it("delivers keyboard, pointer and digitizer events from the virtual devices", async () => {
    const events: HIDEvent[] = [];
    const listener = (_d: IOHIDEventDriver, e: HIDEvent) => events.push(e);
    IOHIDEventDriver.listeners.add(listener);
    const usb = sys.machine.usb;
    usb?.ports[1]?.pressKeys([0x04]);
    usb?.ports[1]?.pressKeys([]);
    usb?.ports[2]?.touch(100, 200);
    usb?.ports[3]?.move(5, -3, 1);
    await settle();
    IOHIDEventDriver.listeners.delete(listener);
    expect(events.filter((e) => e.type === "keyboard")).toMatchObject([{ usage: 4, down: true }, { usage: 4, down: false }]);
    expect(events.find((e) => e.type === "digitizer")).toMatchObject({ tip: true, x: 100, y: 200 });
    // The mouse belongs to the SampleHIDMouse kext (it outbids IOHIDEventDriver).
    const mouse = byClass("SampleHIDMouse")[0];
    expect(mouse?.getProperty("PointerX")).toEqual(num(5, 32));
    expect(mouse?.getProperty("PointerY")).toEqual(num(-3, 32));
    expect(mouse?.getProperty("Clicks")).toEqual(num(1, 32));
  });

  it("moves bytes through the UART's BSD client and frames through the loopback NIC", async () => {
    const client = byClass("IOSerialBSDClient").find((c) => c.getProperty("IOTTYBaseName") === "serial1") as IOSerialBSDClient;
    expect(client.openPort()).toBe(0);
    const uart = sys.machine.uart;
    uart?.receive(new TextEncoder().encode("hello"));
    await settle();
    expect(new TextDecoder().decode(client.read())).toBe("hello");
    client.write(new TextEncoder().encode("AT"));
    expect(String.fromCharCode(...(uart?.transmitted ?? []))).toBe("AT");
    const en0 = byClass("IOEthernetInterface")[0] as IOEthernetInterface;
    en0.output(new Uint8Array(60).fill(7));
    await settle();
    expect(en0.statistics.inputPackets).toBe(1);
    expect(en0.received[0]?.length).toBe(60);
  });
});
