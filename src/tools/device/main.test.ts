import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usbPreset } from "../../drivers/index.ts";
import { writeXMLPlist } from "../../formats/index.ts";
import { testExtensions } from "../../host/testExtensions.ts";
import { isOSDictionary, OSNumber } from "../../libkern/index.ts";
import { startDaemonProcess } from "../../../test/support/runNode.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";


describe("iokit device against a daemon process", () => {
  let socket: string;
  let stop: () => void;
  beforeAll(async () => {
    ({ socket, stop } = await startDaemonProcess(await testExtensions(), "iokit-device-"));
  }, 60_000);
  afterAll(() => stop());

  const device = async (...argv: string[]) => {
    const io = captureIO({ env: { IOKIT_SOCKET: socket }, cwd: tmpdir() });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  it("lists the machine's ports", async () => {
    const r = await device("list");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")).toContain("port 3: USB Optical Mouse [046d:c077]");
    expect(r.out.split("\n")).toContain("port 9: empty");
  });

  it("plugs a preset, then unplugs it: drivers match and terminate", async () => {
    const a = await device("attach", "--port", "9", "mouse");
    expect(a.err).toBe("");
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^attached USB Optical Mouse on port 9; matched:\n {2}USB Optical Mouse@14900000 {2}<class IOUSBHostDevice>\n/);
    expect(a.out).toContain("SampleHIDMouse  <class SampleHIDMouse>\n");
    const l = await device("list");
    expect(l.out.split("\n")).toContain("port 9: USB Optical Mouse [046d:c077]");
    const d = await device("detach", "9");
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/^detached port 9; terminated:\n/);
    expect(d.out).toContain("SampleHIDMouse  <class SampleHIDMouse>\n");
    expect(d.out).not.toContain("still active");
    // The machine's own mouse (port 3) still uses the sample kext.
    expect(d.out).toMatch(/idle kexts: none\n$/);
    const last = await device("detach", "3");
    expect(last.out).toMatch(/idle kexts \(autounload 60 s after the registry goes quiet\): .*com\.example\.driver\.SampleHIDMouse/);
  }, 30_000);

  it("plugs a device node from a plist file, checked by the kernel", async () => {
    const node = usbPreset("keyboard", 11);
    if (!isOSDictionary(node)) throw new Error("no preset");
    const dir = mkdtempSync(join(tmpdir(), "iokit-device-node-"));
    writeFileSync(join(dir, "kbd.plist"), writeXMLPlist(node));
    node.set("bMaxPacketSize0", new OSNumber(7n, 64));
    writeFileSync(join(dir, "bad.plist"), writeXMLPlist(node));
    const io = captureIO({ env: { IOKIT_SOCKET: socket }, cwd: dir });
    expect(await main(["attach", "--usb", "kbd.plist"], io)).toBe(0);
    expect(io.out()).toMatch(/^attached Magic Keyboard on port 11; matched:\n/);
    expect(io.out()).toContain("IOHIDEventDriver  <class IOHIDEventDriver>\n");
    const bad = captureIO({ env: { IOKIT_SOCKET: socket }, cwd: dir });
    expect(await main(["attach", "--usb", "bad.plist", "--port", "12"], bad)).toBe(1);
    expect(bad.err()).toMatch(/^iokit device: machine description: usb \(Magic Keyboard\): key 'bMaxPacketSize0': 7 .*\(kIOReturnBadArgument\)\n$/);
  }, 30_000);

  it("says why in one line: taken or empty ports, no daemon, usage", async () => {
    const taken = await device("attach", "--port", "1", "flash");
    expect(taken.code).toBe(1);
    expect(taken.err).toBe("iokit device: port 1 is already taken (kIOReturnBusy)\n");
    const empty = await device("detach", "13");
    expect(empty.code).toBe(1);
    expect(empty.err).toBe("iokit device: nothing on port 13 (kIOReturnNoDevice)\n");
    const none = captureIO({ env: { IOKIT_SOCKET: join(tmpdir(), "no-such-iokit.sock") } });
    expect(await main(["list"], none)).toBe(69);
    const usage = captureIO({ env: { IOKIT_SOCKET: socket } });
    expect(await main(["attach", "toaster"], usage)).toBe(64);
    expect(usage.err()).toMatch(/^iokit device: unknown device 'toaster'/);
  });
});
