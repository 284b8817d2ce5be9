import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IOReturnError, kIOReturnBadArgument, kIOReturnBusy, kIOReturnNoDevice, kIOReturnNotPrivileged, kIOReturnNotResponding } from "../base/index.ts";
import { usbPreset } from "../drivers/index.ts";
import { Routine } from "../ipc/index.ts";
import { OSMetaClass, userTask } from "../kernel/index.ts";
import { kConsiderUnloadDelaySeconds } from "../kext/index.ts";
import { IOKitLib } from "../libiokit/index.ts";
import { isOSDictionary, OSNumber, type OSDictionary } from "../libkern/index.ts";
import { EmbeddedTransport } from "./EmbeddedTransport.ts";
import { IOKitDaemon } from "./IOKitDaemon.ts";
import { SocketTransport } from "./SocketTransport.ts";
import { bootKernel, type BootedKernel } from "./bootKernel.ts";
import { testExtensions } from "./testExtensions.ts";

const MOUSE_KEXT = "com.example.driver.SampleHIDMouse";
const CLASSES = ["IOUSBHostDevice", "IOUSBHostInterface", "IOUSBHostHIDDevice", "IOHIDInterface", "SampleHIDMouse"];

let booted: BootedKernel;
let daemon: IOKitDaemon;
let plain: IOKitLib;
let priv: IOKitLib;

/** Runs the virtual-time kernel until `p` settles (kext loads are real I/O: let the event loop turn). */
async function drive<T>(p: Promise<T>): Promise<T> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  while (!done) {
    await booted.kernel.scheduler.runUntilIdle();
    await new Promise((r) => setTimeout(r, 1));
  }
  return p;
}

const counts = (): number[] => CLASSES.map((c) => OSMetaClass.getMetaClassWithName(c, booted.kernel.registry)?.getInstanceCount() ?? 0);
const loaded = async (): Promise<string[]> => {
  const r = await drive(priv.call(Routine.kextStat));
  return (Array.isArray(r) ? r : []).map((k) => (Array.isArray(k) ? String(k[1]) : ""));
};
const preset = (kind: string): OSDictionary => {
  const v = usbPreset(kind, 1);
  if (!isOSDictionary(v)) throw new Error(`no preset ${kind}`);
  v.delete("port");
  return v;
};
const code = (p: Promise<unknown>): Promise<number> => drive(p).then(() => 0, (e: unknown) => (e instanceof IOReturnError ? e.code : -1));

beforeAll(async () => {
  booted = await bootKernel({ extensions: await testExtensions(), realTime: false });
  const socketPath = join(mkdtempSync(join(tmpdir(), "iokit-dev-")), "iokit.sock");
  daemon = await IOKitDaemon.start(booted.server, { socketPath });
  plain = new IOKitLib(await SocketTransport.connect(socketPath));
  priv = new IOKitLib(await SocketTransport.connect(`${socketPath}.priv`));
  await drive(booted.kernel.platform.waitQuiet(30_000));
}, 60_000);

afterAll(async () => {
  plain.close();
  priv.close();
  await daemon.close();
});

describe("hot plug through the daemon (virtual clock)", () => {
  it("lists ports on an ordinary connection but plugs only on a privileged one", async () => {
    const ports = await drive(plain.usbPorts());
    expect(ports.portCount).toBe(15);
    expect(ports.devices.find((d) => d.port === 3)?.product).toBe("USB Optical Mouse");
    expect(await code(plain.attachUSBDevice(preset("mouse")))).toBe(kIOReturnNotPrivileged);
    expect(await code(plain.detachUSBDevice(3))).toBe(kIOReturnNotPrivileged);
  });

  it("refuses bad nodes and ports with the kernel's error", async () => {
    const bad = preset("mouse");
    bad.set("bMaxPacketSize0", new OSNumber(7n, 64));
    await expect(drive(priv.attachUSBDevice(bad))).rejects.toThrow(/bMaxPacketSize0/);
    expect(await code(priv.attachUSBDevice(bad))).toBe(kIOReturnBadArgument);
    expect(await code(priv.attachUSBDevice(preset("mouse"), { port: 3 }))).toBe(kIOReturnBusy);
    expect(await code(priv.attachUSBDevice(preset("mouse"), { port: 99 }))).toBe(kIOReturnBadArgument);
    expect(await code(priv.detachUSBDevice(12))).toBe(kIOReturnNoDevice);
    expect(await code(priv.call(Routine.deviceAttach, "not a node", null))).toBe(kIOReturnBadArgument);
  });

  it("attach matches drivers, detach terminates them, and the idle kext autounloads after 60 s of quiet", async () => {
    const base = counts();
    const a = await drive(priv.attachUSBDevice(preset("mouse"), { port: 9 }));
    expect(a.port).toBe(9);
    expect(a.services.map((s) => s.className)).toEqual(expect.arrayContaining(["IOUSBHostDevice", "IOHIDInterface", "SampleHIDMouse"]));
    expect(a.services.every((s) => s.active)).toBe(true);
    expect(counts().every((c, i) => c > (base[i] as number))).toBe(true);
    // The machine's own mouse on port 3 still uses the sample: not idle yet.
    const d9 = await drive(priv.detachUSBDevice(9));
    expect(d9.services.map((s) => s.className)).toEqual(a.services.map((s) => s.className));
    expect(d9.services.some((s) => s.active)).toBe(false);
    expect(d9.idleKexts).not.toContain(MOUSE_KEXT);
    expect(counts()).toEqual(base);
    const d3 = await drive(priv.detachUSBDevice(3));
    expect(d3.idleKexts).toContain(MOUSE_KEXT);
    expect(d3.autounloadDelaySeconds).toBe(kConsiderUnloadDelaySeconds);
    expect(await loaded()).toContain(MOUSE_KEXT);
    // Apple's sConsiderUnloadDelay on the kernel's clock: still loaded a second before, gone after.
    await booted.kernel.scheduler.advance(kConsiderUnloadDelaySeconds * 1000 - 1000);
    expect(await loaded()).toContain(MOUSE_KEXT);
    await drive(booted.kernel.scheduler.advance(2000));
    expect(await loaded()).not.toContain(MOUSE_KEXT);
    expect(OSMetaClass.getMetaClassWithName("SampleHIDMouse", booted.kernel.registry)).toBeUndefined();
    // Personalities stay: plugging a mouse again loads the kext on demand.
    const again = await drive(priv.attachUSBDevice(preset("mouse"), { port: 3 }));
    expect(again.services.map((s) => s.className)).toContain("SampleHIDMouse");
    expect(await loaded()).toContain(MOUSE_KEXT);
  }, 60_000);
});

describe("hot plug without a controller driver", () => {
  it("answers kIOReturnNotResponding in bounded time and leaves the port plugged", async () => {
    const bare = await bootKernel({ extensions: null, realTime: false });
    const lib = new IOKitLib(new EmbeddedTransport(bare.server, userTask({ procName: "test", uid: 0, privileged: true })));
    const e = await lib.attachUSBDevice(preset("mouse"), { port: 9 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IOReturnError);
    expect((e as IOReturnError).code).toBe(kIOReturnNotResponding);
    expect((await lib.usbPorts()).devices.map((d) => d.port)).toContain(9);
    lib.close();
  });
});
