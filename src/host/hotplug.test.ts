import { describe, expect, it } from "vitest";
import { parseUSBDeviceDescription, usbPreset } from "../drivers/index.ts";
import { OSMetaClass } from "../kernel/index.ts";
import { bootSystem, settle } from "./index.ts";
import { testExtensions } from "./testExtensions.ts";

const CLASSES = ["IOUSBHostDevice", "IOUSBHostInterface", "AppleUSBHostCompositeDevice", "IOUSBHostHIDDevice", "IOHIDInterface", "IOHIDEventDriver", "SampleUSBCDCSerial", "IOSerialBSDClient"];
const counts = (domain: object) => CLASSES.map((c) => OSMetaClass.getMetaClassWithName(c, domain)?.getInstanceCount() ?? 0);

describe("USB hot plug", () => {
  it("attach matches drivers, detach terminates them, and instance counts return to the baseline", async () => {
    const sys = await bootSystem({ extensions: [await testExtensions()] });
    const hc = sys.machine.usb;
    if (hc === undefined) throw new Error("no xHCI");
    const quiet = () => settle(sys.kernel, sys.kernel.waitQuiet(sys.kernel.platform, 30_000), () => sys.runtime.loadsInFlight > 0);
    const baseline = counts(sys.kernel.registry);
    for (let i = 0; i < 20; i++) {
      const kind = ["keyboard", "cdc-acm", "trackpad", "flash"][i % 4] as string;
      hc.plug(parseUSBDeviceDescription(usbPreset(kind, 9) ?? new Map()));
      await quiet();
      expect(counts(sys.kernel.registry).some((c, k) => c > (baseline[k] as number))).toBe(true);
      hc.unplug(9);
      await quiet();
      expect(counts(sys.kernel.registry)).toEqual(baseline);
    }
    expect(sys.kernel.registry.findByClass("IOUSBHostDevice").filter((d) => d.getLocation() === "14900000")).toHaveLength(0);
  });

  it("plugging into a taken port is refused by the hardware", async () => {
    const sys = await bootSystem({ extensions: [await testExtensions()] });
    expect(sys.machine.usb?.plug(parseUSBDeviceDescription(usbPreset("mouse", 1) ?? new Map()))).toBeUndefined();
  });
});
