import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dict, num, type OSValue } from "../../libkern/index.ts";
import { hidMatchPropertyTable } from "./hidMatch.ts";
import { parsePCIMatch, pciItemsMatch, pciMatchPropertyTable } from "./pciMatch.ts";
import { le, nub, personality } from "./testNubs.ts";
import { usbDeviceFamily, usbInterfaceFamily } from "./usbMatch.ts";

const x86 = { arch: "x86_64" as const };
const arm = { arch: "arm64" as const };

describe("PCI", () => {
  const dev = nub("IOPCIDevice", {
    "vendor-id": le(0x1011), "device-id": le(0x0026), "subsystem-vendor-id": le(0x106b), "subsystem-id": le(0x00aa),
    "class-code": le(0x020000), "revision-id": le(0x03),
  });

  it("parses VALUE&MASK lists with optional 0x and spaces before &", () => {
    expect(parsePCIMatch("0x00261011 0x1234abcd&0x0000ffff").items).toEqual([
      { value: 0x00261011, mask: 0xffffffff }, { value: 0x1234abcd, mask: 0x0000ffff },
    ]);
    expect(parsePCIMatch("00261011 &0xffff").items).toEqual([{ value: 0x00261011, mask: 0xffff }]);
    expect(parsePCIMatch("0x02000000", 0xffffff00).items[0]?.mask).toBe(0xffffff00);
    const bad = parsePCIMatch("0x1234 vendor=8086");
    expect(bad.items.length).toBe(1);
    expect(bad.stoppedAt?.text).toBe("vendor=8086");
  });

  it("an item matches when the masked values agree (property)", () => {
    fc.assert(fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffffffff), (v, m, r) => {
      const masked = ((v & m) >>> 0) === ((r & m) >>> 0);
      return pciItemsMatch(parsePCIMatch(`0x${v.toString(16)}&0x${m.toString(16)}`).items, r) === masked;
    }));
  });

  it("IOPCIMatch on the ID register earns +1000 only on non-x86 builds", () => {
    const t = personality({ IOPCIMatch: "0x00261011", IOProbeScore: 10 });
    expect(pciMatchPropertyTable(t, dev, 10, x86)).toMatchObject({ ok: true, score: 10 });
    expect(pciMatchPropertyTable(t, dev, 10, arm)).toMatchObject({ ok: true, score: 1010 });
  });

  it("IOPCIMatch via the subsystem register, Primary, Secondary and Class matches earn nothing", () => {
    for (const t of [
      personality({ IOPCIMatch: "0x00aa106b" }), personality({ IOPCIPrimaryMatch: "0x00261011" }),
      personality({ IOPCISecondaryMatch: "0x00aa106b" }), personality({ IOPCIClassMatch: "0x02000000" }),
    ]) expect(pciMatchPropertyTable(t, dev, 0, arm)).toMatchObject({ ok: true, score: 0 });
  });

  it("all present keys must match; class match uses the 0xFFFFFF00 default mask", () => {
    expect(pciMatchPropertyTable(personality({ IOPCIPrimaryMatch: "0x00aa106b" }), dev, 0, x86).ok).toBe(false);
    expect(pciMatchPropertyTable(personality({ IOPCIMatch: "0x00261011", IOPCIClassMatch: "0x03000000" }), dev, 0, x86).ok).toBe(false);
    expect(pciMatchPropertyTable(personality({ IOPCIClassMatch: "0x02000099" }), dev, 0, x86).ok).toBe(true);
    expect(pciMatchPropertyTable(personality({ IOPCIClassMatch: "0x02000000&0xff000000" }), dev, 0, x86).ok).toBe(true);
  });

  it("tunnelled devices need IOPCITunnelCompatible", () => {
    const tb = nub("IOPCIDevice", { "vendor-id": le(0x1011), "device-id": le(0x0026), IOPCITunnelled: true });
    const r = pciMatchPropertyTable(personality({ IOPCIMatch: "0x00261011" }), tb, 0, x86);
    expect(r.ok).toBe(false);
    expect(pciMatchPropertyTable(personality({ IOPCIMatch: "0x00261011", IOPCITunnelCompatible: true }), tb, 0, x86).ok).toBe(true);
  });
});

describe("USB", () => {
  const dev = nub("IOUSBDevice", { idVendor: 0x5ac, idProduct: 0x8242, bcdDevice: 0x16, bDeviceClass: 0, bDeviceSubClass: 0, bDeviceProtocol: 0 });
  const vendorDev = nub("IOUSBDevice", { idVendor: 0x5ac, idProduct: 0x8242, bcdDevice: 0x16, bDeviceClass: 0xff, bDeviceSubClass: 1, bDeviceProtocol: 2 });
  const m = (t: Record<string, number | string>, n = dev, s = 0) => usbDeviceFamily.matchPropertyTable(personality(t), n, s, x86);

  it("follows the ladder of base scores", () => {
    expect(m({ idVendor: 0x5ac, idProduct: 0x8242, bcdDevice: 0x16 })).toMatchObject({ score: 100000 });
    expect(m({ idVendor: 0x5ac, idProduct: 0x8242 })).toMatchObject({ score: 90000 });
    expect(m({ bDeviceClass: 0, bDeviceSubClass: 0, bDeviceProtocol: 0 })).toMatchObject({ score: 60000 });
    expect(m({ bDeviceClass: 0, bDeviceSubClass: 0 })).toMatchObject({ score: 50000 });
    expect(m({ idVendor: 0x5ac }).ok).toBe(false);
    expect(m({ idVendor: 0x5ac, idProduct: 0x1 }).ok).toBe(false);
  });

  it("vendor-specific devices never reach the class-only rules", () => {
    expect(m({ bDeviceClass: 0xff, bDeviceSubClass: 1 }, vendorDev).ok).toBe(false);
    expect(m({ idVendor: 0x5ac, bDeviceSubClass: 1, bDeviceProtocol: 2 }, vendorDev)).toMatchObject({ score: 80000 });
    expect(m({ idVendor: 0x5ac, bDeviceSubClass: 1 }, vendorDev)).toMatchObject({ score: 70000 });
  });

  it("adds IOProbeScore (clamped to 9000 when >= 10000), -1000 per wildcard, -500 for a mask", () => {
    expect(m({ idVendor: 0x5ac, idProduct: 0x8242 }, dev, 500)).toMatchObject({ score: 90500 });
    expect(m({ idVendor: 0x5ac, idProduct: 0x8242 }, dev, 20000)).toMatchObject({ score: 99000 });
    expect(m({ idVendor: 0x5ac, idProduct: 0x8242 }, dev, -100)).toMatchObject({ score: 89900 });
    expect(m({ idVendor: 0x5ac, idProduct: "*" })).toMatchObject({ score: 89000 });
    expect(usbDeviceFamily.matchPropertyTable(personality({ idVendor: 0x5ac, idProduct: 0x8200, idProductMask: 0xff00 }), dev, 0, x86)).toMatchObject({ score: 89500 });
    expect(usbDeviceFamily.matchPropertyTable(new Map<string, OSValue>([["idVendor", num(0x5ac)], ["idProductArray", [num(1), num(0x8242)]]]), dev, 0, x86)).toMatchObject({ score: 90000 });
  });

  it("interfaces need configuration and interface number for the ID rules, and their absence for class rules", () => {
    const ifc = nub("IOUSBInterface", { idVendor: 0x5ac, idProduct: 0x8242, bcdDevice: 0x16, bConfigurationValue: 1, bInterfaceNumber: 0, bInterfaceClass: 3, bInterfaceSubClass: 1, bInterfaceProtocol: 1 });
    const i = (t: Record<string, number>) => usbInterfaceFamily.matchPropertyTable(personality(t), ifc, 0, x86);
    expect(i({ idVendor: 0x5ac, idProduct: 0x8242, bConfigurationValue: 1, bInterfaceNumber: 0 })).toMatchObject({ score: 90000 });
    expect(i({ idVendor: 0x5ac, idProduct: 0x8242 }).ok).toBe(false);
    expect(i({ bInterfaceClass: 3, bInterfaceSubClass: 1, bInterfaceProtocol: 1 })).toMatchObject({ score: 60000 });
    expect(i({ bInterfaceClass: 3, bInterfaceSubClass: 1, bInterfaceNumber: 0 }).ok).toBe(false);
  });
});

describe("HID", () => {
  const dev = nub("IOHIDDevice", { Transport: "USB", VendorID: 0x5ac, ProductID: 0x250, PrimaryUsagePage: 1, PrimaryUsage: 6, LocationID: 0x14000000 });
  it("scores what matched and fails on any mismatch", () => {
    expect(hidMatchPropertyTable(personality({ VendorID: 0x5ac, ProductID: 0x250 }), dev, 0)).toMatchObject({ ok: true, score: 6000 });
    expect(hidMatchPropertyTable(personality({ Transport: "USB" }), dev, 0)).toMatchObject({ ok: true, score: 1000 });
    expect(hidMatchPropertyTable(personality({ PrimaryUsagePage: 1, PrimaryUsage: 6 }), dev, 0)).toMatchObject({ ok: true, score: 1200 });
    expect(hidMatchPropertyTable(personality({ VendorID: 0x5ac, ProductIDArray: [num(1), num(0x250)] }), dev, 0)).toMatchObject({ score: 5975 });
    expect(hidMatchPropertyTable(personality({ VendorID: 0x5ac, ProductID: 0x200, ProductIDMask: 0xff00 }), dev, 0)).toMatchObject({ score: 5950 });
    expect(hidMatchPropertyTable(personality({ VendorID: 0x5ad }), dev, 0).ok).toBe(false);
    // LocationID counts only beside Transport; ProductID only beside VendorID.
    expect(hidMatchPropertyTable(personality({ LocationID: 0x14000000 }), dev, 0)).toMatchObject({ ok: true, score: 0 });
    expect(hidMatchPropertyTable(personality({ Transport: "USB", LocationID: 0x14000000 }), dev, 0)).toMatchObject({ score: 3000 });
    expect(hidMatchPropertyTable(personality({ ProductID: 0x250 }), dev, 0)).toMatchObject({ ok: true, score: 0 });
  });

  it("matches usage pairs: page and usage 100, page alone 50, plus the 1100 base", () => {
    const pairs = [dict({ DeviceUsagePage: num(1), DeviceUsage: num(2) }), dict({ DeviceUsagePage: num(12), DeviceUsage: num(1) })];
    const mouse = nub("IOHIDInterface", { DeviceUsagePairs: pairs, PrimaryUsagePage: 1, PrimaryUsage: 2 });
    expect(hidMatchPropertyTable(personality({ DeviceUsagePairs: [dict({ DeviceUsagePage: num(1), DeviceUsage: num(2) })] }), mouse, 0)).toMatchObject({ score: 1200 });
    expect(hidMatchPropertyTable(personality({ DeviceUsagePage: 12 }), mouse, 0)).toMatchObject({ score: 1150 });
    expect(hidMatchPropertyTable(personality({ DeviceUsagePage: 1, DeviceUsage: 6 }), mouse, 0).ok).toBe(false);
    expect(hidMatchPropertyTable(personality({ HIDDefaultBehavior: "" }), mouse, 0).ok).toBe(false);
  });
});
