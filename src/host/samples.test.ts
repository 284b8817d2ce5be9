/**
 * The sample kexts as user space sees them, on the default machine booted with the bundled
 * extensions: each sample's user client through IOKitLib, and the character devices (the
 * SampleCharDevice node, the serial ports' cu/tty nodes) through `open` on `/dev`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { kIOReturnBadArgument } from "../base/index.ts";
import { DevFS, IOKitServer, OSMetaClass, userTask, type IOService } from "../kernel/index.ts";
import {
  FIONREAD, IOKitLib, O_NONBLOCK, O_RDONLY, O_RDWR, _IO, serviceMatching, type DeviceFile, type IOConnectRef,
} from "../libiokit/index.ts";
import {
  SAMPLECHAR_IOC_GETSTATS, SAMPLECHAR_IOC_SETMODE, kSampleCharGetStats, kSampleCharInject, kSampleCharPeek, kSampleCharSetMode,
} from "../../samples/SampleCharDevice/SampleCharDeviceShared.ts";
import { parseUSBDeviceDescription, usbPreset } from "../drivers/index.ts";
import { EmbeddedTransport } from "./EmbeddedTransport.ts";
import { bootSystem, settle, type BootedSystem } from "./bootSystem.ts";
import { testExtensions } from "./testExtensions.ts";

let sys: BootedSystem;
let server: IOKitServer;
let lib: IOKitLib;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
const connectTo = async (className: string): Promise<IOConnectRef> => {
  const [s] = await lib.getMatchingServices(serviceMatching(className));
  if (s === undefined) throw new Error(`${className} did not start`);
  const c = await s.open(0);
  await s.release();
  return c;
};
const advance = async (ms: number): Promise<void> => {
  await sys.kernel.scheduler.advance(ms);
  await settle(sys.kernel, Promise.resolve());
};

beforeAll(async () => {
  sys = await bootSystem({ extensions: [await testExtensions()] });
  server = new IOKitServer(sys.kernel);
  lib = new IOKitLib(new EmbeddedTransport(server, userTask({ pid: 600, procName: "samples", uid: 501 })));
}, 60_000);

describe("SampleCharDevice", () => {
  it("makes /dev/samplechar (root:wheel 0666) beside the serial ports' cu and tty nodes", async () => {
    const devs = await lib.devices();
    const node = devs.find((d) => d.path === "/dev/samplechar");
    expect(node).toMatchObject({ type: "c", minor: 0, uid: 0, gid: 0, mode: 0o666 });
    expect(node?.major).toBeGreaterThanOrEqual(24);
    expect(devs.map((d) => d.path)).toEqual(expect.arrayContaining(["/dev/cu.serial1", "/dev/tty.serial1", "/dev/null", "/dev/zero"]));
    const cu = devs.find((d) => d.path === "/dev/cu.serial1");
    expect(devs.find((d) => d.path === "/dev/tty.serial1")?.minor).toBe((cu?.minor ?? 0) - 1);
  });

  it("loops written bytes back through the device's interrupt, upper-cased in mode 1", async () => {
    const f = await lib.open("/dev/samplechar", O_RDWR | O_NONBLOCK);
    await expect(f.read(64)).rejects.toMatchObject({ code: "EAGAIN" });
    expect(await f.write("hello")).toBe(5);
    await advance(1);
    expect(new DataView((await f.ioctl(FIONREAD)).buffer).getUint32(0, true)).toBe(5);
    expect(text(await f.read(64))).toBe("hello");
    await f.ioctl(SAMPLECHAR_IOC_SETMODE, u32(1));
    await f.write("abc");
    await advance(1);
    expect(text(await f.read(64))).toBe("ABC");
    await f.ioctl(SAMPLECHAR_IOC_SETMODE, u32(0));
    await expect(f.ioctl(SAMPLECHAR_IOC_SETMODE, u32(7))).rejects.toMatchObject({ code: "EINVAL" });
    await expect(f.ioctl(_IO("S", 99))).rejects.toMatchObject({ code: "ENOTTY" });
    const ro = await lib.open("/dev/samplechar", O_RDONLY);
    await expect(ro.ioctl(SAMPLECHAR_IOC_SETMODE, u32(1))).rejects.toMatchObject({ code: "EBADF" });
    await expect(ro.write("x")).rejects.toMatchObject({ code: "EBADF" });
    await ro.close();
    await f.close();
    await expect(f.close()).rejects.toMatchObject({ code: "EBADF" });
  });

  it("passes data both ways through its user client, and agrees with the ioctl's statistics", async () => {
    const c = await connectTo("SampleCharDevice");
    const f = await lib.open("/dev/samplechar", O_RDWR);
    // A blocking read sleeps on the command gate until the device interrupts with injected input.
    const reading = f.read(64);
    const injected = await c.callMethod(kSampleCharInject, { structureInput: new TextEncoder().encode("from the wire"), scalarOutputCount: 1 });
    expect(injected.scalarOutput).toEqual([13n]);
    expect(text(await reading)).toBe("from the wire");
    await c.callMethod(kSampleCharInject, { structureInput: new TextEncoder().encode("peek"), scalarOutputCount: 1 });
    await advance(1);
    expect(text((await c.callMethod(kSampleCharPeek, { structureOutputSize: 2 })).structureOutput)).toBe("pe");
    expect(text(await f.read(64))).toBe("peek");
    const stats = (await c.callMethod(kSampleCharGetStats, { scalarOutputCount: 4 })).scalarOutput;
    const raw = new DataView((await f.ioctl(SAMPLECHAR_IOC_GETSTATS)).buffer);
    expect([0, 8, 16, 24].map((o) => raw.getBigUint64(o, true))).toEqual(stats);
    expect(stats[0]).toBeGreaterThanOrEqual(17n);
    await expect(c.callMethod(kSampleCharSetMode, { scalarInput: [5n] })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    await expect(c.callMethod(kSampleCharSetMode, { scalarInput: [] })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    await expect(c.callMethod(9, {})).rejects.toMatchObject({ code: kIOReturnBadArgument });
    await expect(c.callMethod(kSampleCharInject, { structureInput: new Uint8Array(0), scalarOutputCount: 1 })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    await f.close();
    await c.close();
  });

  it("powers down a second after the last close, up again on open; a dying task's files close", async () => {
    const driver = sys.kernel.registry.findByClass("SampleCharDevice")[0] as IOService;
    const other = new IOKitLib(new EmbeddedTransport(server, userTask({ pid: 601, uid: 501 })));
    const f: DeviceFile = await other.open("/dev/samplechar");
    const dev = (await lib.devices()).find((d) => d.path === "/dev/samplechar");
    const devt = ((dev?.major ?? 0) << 24) | (dev?.minor ?? 0);
    expect(DevFS.of(sys.kernel).openCount(devt)).toBe(1);
    expect(f.fd).toBeGreaterThan(0);
    other.close();
    await advance(1);
    expect(DevFS.of(sys.kernel).openCount(devt)).toBe(0);
    await advance(1100);
    expect(driver.getProperty("Powered")).toBe(false);
    const again = await lib.open("/dev/samplechar");
    await advance(1);
    expect(driver.getProperty("Powered")).toBe(true);
    await again.close();
  });
});

describe("the other samples' user clients", () => {
  it("AppleSamplePCI reads config space and BAR0, writes the scratch register, maps its DMA buffer", async () => {
    const c = await connectTo("AppleSamplePCI");
    expect((await c.callMethod(0, { scalarInput: [0n], scalarOutputCount: 1 })).scalarOutput).toEqual([0x5a5a106bn]);
    expect((await c.callMethod(1, { scalarInput: [0n], scalarOutputCount: 1 })).scalarOutput).toEqual([0x534d504cn]);
    await c.callMethod(2, { scalarInput: [0x1234n] });
    expect((await c.callMethod(1, { scalarInput: [4n], scalarOutputCount: 1 })).scalarOutput).toEqual([0x1234n]);
    await expect(c.callMethod(0, { scalarInput: [2n], scalarOutputCount: 1 })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    await expect(c.callMethod(1, { scalarInput: [0x100n], scalarOutputCount: 1 })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    await expect(c.callMethod(4, {})).rejects.toMatchObject({ code: kIOReturnBadArgument });
    const info = new DataView((await c.callMethod(3, { structureOutputSize: 16 })).structureOutput.buffer);
    expect(info.getUint32(0, true)).toBe(0x5a5a106b);
    expect(info.getUint32(4, true)).toBeGreaterThanOrEqual(1);
    expect(info.getBigUint64(8, true)).toBeGreaterThan(0n);
    const map = await c.mapMemory(0);
    expect(map.size).toBe(4096);
    await map.unmap();
    await c.close();
  });

  it("SampleHIDMouse reports the pointer it decoded and the last report", async () => {
    const c = await connectTo("SampleHIDMouse");
    await c.callMethod(2);
    sys.machine.usb?.ports[3]?.move(4, -2, 1);
    await advance(1);
    const [x, y, clicks] = (await c.callMethod(0, { scalarOutputCount: 3 })).scalarOutput;
    expect([BigInt.asIntN(64, x ?? 0n), BigInt.asIntN(64, y ?? 0n)]).toEqual([4n, -2n]);
    expect(clicks).toBeGreaterThanOrEqual(1n);
    expect(Array.from((await c.callMethod(1, { structureOutputSize: 64 })).structureOutput)).toEqual([1, 4, 254]);
    await c.close();
  });

  it("SampleUSBCDCSerial answers line coding with class requests and shows the modem's SERIAL_STATE", async () => {
    const c = await connectTo("SampleUSBCDCSerial");
    expect(Array.from((await c.callMethod(0, { structureOutputSize: 7 })).structureOutput)).toEqual([0x00, 0xc2, 0x01, 0x00, 0, 0, 8]);
    await c.callMethod(1, { scalarInput: [9600n] });
    expect(new DataView((await c.callMethod(0, { structureOutputSize: 7 })).structureOutput.buffer).getUint32(0, true)).toBe(9600);
    await expect(c.callMethod(1, { scalarInput: [7n] })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    const tty = (await lib.devices()).find((d) => d.path.startsWith("/dev/cu.usbmodem"));
    if (tty === undefined) throw new Error("no /dev/cu.usbmodem node");
    const f = await lib.open(tty.path, O_RDWR | O_NONBLOCK);
    expect(await f.write("ATZ")).toBe(3);
    await advance(1);
    expect(text(await f.read(16))).toBe("ATZ");
    await f.close();
    const [state, notes, bytesIn, bytesOut] = (await c.callMethod(2, { scalarOutputCount: 4 })).scalarOutput;
    expect([state, notes, bytesIn, bytesOut]).toEqual([3n, 1n, 3n, 3n]);
    await c.close();
  });

  it("SampleVirtualVolume gives its geometry and reads a block through the stripe map", async () => {
    const c = await connectTo("SampleVirtualVolume");
    const [bs, count, members] = (await c.callMethod(0, { scalarOutputCount: 3 })).scalarOutput;
    expect([bs, members]).toEqual([512n, 2n]);
    expect((await c.callMethod(1, { scalarInput: [0n], structureOutputSize: 512 })).structureOutput.length).toBe(512);
    await expect(c.callMethod(1, { scalarInput: [count ?? 0n], structureOutputSize: 512 })).rejects.toMatchObject({ code: kIOReturnBadArgument });
    const [completions, online] = (await c.callMethod(2, { scalarOutputCount: 2 })).scalarOutput;
    expect(completions).toBeGreaterThanOrEqual(1n);
    expect(online).toBe(1n);
    await c.close();
  });

  it("a CDC modem plugged at run time gets its cu/tty nodes, and loses them when unplugged", async () => {
    const before = (await lib.devices()).map((d) => d.path);
    const quiet = () => settle(sys.kernel, sys.kernel.waitQuiet(sys.kernel.platform, 30_000), () => sys.runtime.loadsInFlight > 0);
    sys.machine.usb?.plug(parseUSBDeviceDescription(usbPreset("cdc-acm", 9) ?? new Map()));
    await quiet();
    const added = (await lib.devices()).map((d) => d.path).filter((p) => !before.includes(p));
    expect(added.sort()).toEqual([expect.stringMatching(/^\/dev\/cu\.usbmodem/), expect.stringMatching(/^\/dev\/tty\.usbmodem/)]);
    sys.machine.usb?.unplug(9);
    await quiet();
    expect((await lib.devices()).map((d) => d.path)).toEqual(before);
  });

  it("the UART's callout node carries bytes both ways", async () => {
    const f = await lib.open("/dev/cu.serial1", O_RDWR | O_NONBLOCK);
    await f.write("AT");
    expect(String.fromCharCode(...(sys.machine.uart?.transmitted.slice(-2) ?? []))).toBe("AT");
    sys.machine.uart?.receive(new TextEncoder().encode("OK"));
    await advance(1);
    expect(new DataView((await f.ioctl(FIONREAD)).buffer).getUint32(0, true)).toBe(2);
    expect(text(await f.read(16))).toBe("OK");
    await f.close();
  });
});

describe("SampleCharDevice going away", () => {
  it("removes its node and switch; open descriptors then answer ENXIO; nothing is left behind", async () => {
    const driver = sys.kernel.registry.findByClass("SampleCharDevice")[0] as IOService;
    const f = await lib.open("/dev/samplechar", O_RDWR);
    const reading = f.read(8);
    driver.terminate();
    // The pending read's own call drives the kernel until termination wakes it.
    await expect(reading).rejects.toMatchObject({ code: "ENXIO" });
    await expect(f.write("x")).rejects.toMatchObject({ code: "ENXIO" });
    await f.close();
    await advance(1);
    await expect(lib.open("/dev/samplechar")).rejects.toMatchObject({ code: "ENOENT" });
    expect((await lib.devices()).some((d) => d.path === "/dev/samplechar")).toBe(false);
    expect(OSMetaClass.getMetaClassWithName("SampleCharDevice")?.getInstanceCount()).toBe(0);
    expect(OSMetaClass.getMetaClassWithName("SampleCharDeviceUserClient")?.getInstanceCount() ?? 0).toBe(0);
  });
});
