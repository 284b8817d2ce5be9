import { describe, expect, it } from "vitest";
import { dict, num } from "../../libkern/index.ts";
import { defaultFamilies } from "./IOCatalogue.ts";
import { matchPassive } from "./matchPassive.ts";
import { le, nub, personality } from "./testNubs.ts";

const opts = { arch: "x86_64" as const, families: defaultFamilies() };

describe("matchPassive generic keys", () => {
  it("IOProviderClass uses class conformance", () => {
    const n = nub("IOAGPDevice");
    expect(matchPassive(personality({ IOProviderClass: "IOPCIDevice" }), n, opts).matched).toBe(true);
    const r = matchPassive(personality({ IOProviderClass: "IOUSBDevice" }), n, opts);
    expect(r.matched).toBe(false);
    expect(r.failure?.key).toBe("IOProviderClass");
  });

  it("IONameMatch accepts a string or an array and compares the entry name on plain nubs", () => {
    const n = nub("IOService", {}, { name: "foo" });
    expect(matchPassive(personality({ IONameMatch: "foo" }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IONameMatch: ["bar", "foo"] }), n, opts).matched).toBe(true);
    const r = matchPassive(personality({ IONameMatch: ["bar"] }), n, opts);
    expect(r.failure).toMatchObject({ key: "IONameMatch", actual: "foo" });
    // A trailing * is a firmware-rule prefix match, not a plain-name one.
    expect(matchPassive(personality({ IONameMatch: "fo*" }), n, opts).matched).toBe(false);
  });

  it("IONameMatch on firmware nubs compares name/compatible/device_type/model strings, * as prefix", () => {
    const enc = new TextEncoder();
    const n = nub("IOPCIDevice", { compatible: enc.encode("pci106b,1a\0pci8086,1e31\0pciclass,0c0330\0"), name: enc.encode("pci8086,1e31\0") }, { name: "XHC1" });
    expect(matchPassive(personality({ IONameMatch: "pci8086,1e31" }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IONameMatch: "pciclass,0c03*" }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IONameMatch: "pci8086,1e3" }), n, opts).matched).toBe(false);
    const t = personality({ IONameMatch: ["nope", "pci106b,1a"], IOClass: "X" });
    matchPassive(t, n, { ...opts, changesOK: true });
    expect(t.get("IONameMatched")).toBe("pci106b,1a");
  });

  it("IOPropertyMatch: a dict (all keys equal) or an array of dicts (any); numbers ignore width", () => {
    const n = nub("IOService", { Whole: true, Size: 5, Content: "GUID_partition_scheme" });
    expect(matchPassive(personality({ IOPropertyMatch: dict({ Whole: true, Size: num(5, 8) }) }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOPropertyMatch: dict({ Whole: false }) }), n, opts).matched).toBe(false);
    expect(matchPassive(personality({ IOPropertyMatch: [dict({ Whole: false }), dict({ Content: "GUID_partition_scheme" })] }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOPropertyMatch: dict({ Missing: 1 as never }) }), n, opts).matched).toBe(false);
  });

  it("IOPropertyExistsMatch passes if any named key exists", () => {
    const n = nub("IOService", { a: 1 });
    expect(matchPassive(personality({ IOPropertyExistsMatch: ["b", "a"] }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOPropertyExistsMatch: "b" }), n, opts).matched).toBe(false);
  });

  it("IOLocationMatch (string), IOPathMatch, IORegistryEntryID, BSD Name", () => {
    const root = nub("IORegistryEntry", {}, { name: "Root" });
    const pe = nub("IOPlatformExpertDevice", {}, { name: "MacPro1,1", provider: root });
    const pci = nub("IOService", { "BSD Name": "disk0" }, { name: "PCI0", location: "0", provider: pe, registryEntryID: 0x100000120n });
    expect(pci.path).toBe("IOService:/PCI0@0");
    expect(matchPassive(personality({ IOLocationMatch: "0" }), pci, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOLocationMatch: "1" }), pci, opts).failure?.key).toBe("IOLocationMatch");
    expect(matchPassive(personality({ IOPathMatch: "IOService:/PCI0@0" }), pci, opts).matched).toBe(true);
    expect(matchPassive(personality({ IORegistryEntryID: num(0x100000120n) }), pci, opts).matched).toBe(true);
    expect(matchPassive(personality({ IORegistryEntryID: num(0x100000121n) }), pci, opts).matched).toBe(false);
    expect(matchPassive(personality({ "BSD Name": "disk0" }), pci, opts).matched).toBe(true);
    expect(matchPassive(personality({ "BSD Name": "disk1" }), pci, opts).matched).toBe(false);
  });

  it("IOParentMatch walks up the provider chain; IOLocationMatch as a dict tests the provider", () => {
    const root = nub("IOService", {}, { name: "Root" });
    const a = nub("IOService", { marker: "yes" }, { name: "A", provider: root });
    const b = nub("IOService", {}, { name: "B", provider: a });
    const c = nub("IOService", {}, { name: "C", provider: b });
    expect(matchPassive(personality({ IOParentMatch: dict({ IOPropertyMatch: dict({ marker: "yes" }) }) }), c, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOParentMatch: dict({ IONameMatch: "Z" }) }), c, opts).failure?.key).toBe("IOParentMatch");
    expect(matchPassive(personality({ IOLocationMatch: dict({ IONameMatch: "B" }) }), c, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOLocationMatch: dict({ IONameMatch: "A" }) }), c, opts).matched).toBe(false);
  });

  it("skips family matching when every key was handled generically (spec §13.4)", () => {
    // An IOUSBDevice table with only IOProviderClass would fail the USB ladder; a user-space
    // IOServiceMatching("IOUSBDevice") must still match because the family never runs.
    const n = nub("IOUSBDevice", { idVendor: 0x5ac, idProduct: 0x1234 });
    expect(matchPassive(personality({ IOProviderClass: "IOUSBDevice" }), n, opts).matched).toBe(true);
    const r = matchPassive(personality({ IOProviderClass: "IOUSBDevice", IOClass: "Driver" }), n, opts);
    expect(r.matched).toBe(false);
    expect(r.family).toBe("USB device");
  });

  it("bounds nesting depth of IOParentMatch", () => {
    let t = dict({ IONameMatch: "never" });
    for (let i = 0; i < 100; i++) t = dict({ IOParentMatch: t });
    const root = nub("IOService");
    let n = root;
    for (let i = 0; i < 5; i++) n = nub("IOService", {}, { provider: n });
    expect(matchPassive(t, n, opts).matched).toBe(false);
  });

  it("IOResources: every IOResourceMatch name must be published", () => {
    const res = nub("IOResources", { IOKit: "IOService", IOBSD: "IOService" });
    expect(matchPassive(personality({ IOProviderClass: "IOResources", IOResourceMatch: "IOBSD", IOClass: "X" }), res, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOProviderClass: "IOResources", IOResourceMatch: ["IOBSD", "IONetworkStack"], IOClass: "X" }), res, opts).failure?.key).toBe("IOResourceMatch");
  });

  it("IOMedia family compares Content Mask with Content", () => {
    const m = nub("IOMedia", { Content: "Apple_HFS", Whole: false });
    expect(matchPassive(personality({ "Content Mask": "Apple_HFS", IOClass: "X" }), m, opts).matched).toBe(true);
    expect(matchPassive(personality({ "Content Mask": "GUID_partition_scheme", IOClass: "X" }), m, opts).matched).toBe(false);
  });

  it("PCI nubs read registers from published IDs", () => {
    const n = nub("IOPCIDevice", { "vendor-id": le(0x8086), "device-id": le(0x1e31), "class-code": le(0x0c0330), "revision-id": le(4) });
    expect(matchPassive(personality({ IOPCIMatch: "0x1e318086", IOClass: "X" }), n, opts).matched).toBe(true);
    expect(matchPassive(personality({ IOPCIClassMatch: "0x0c033000", IOClass: "X" }), n, opts).matched).toBe(true);
  });
});

describe("isEqualTo bridges OSString and OSData as libkern does", () => {
  it("a personality string matches firmware data with or without its NUL", () => {
    const enc = new TextEncoder();
    const withNul = nub("IOService", { device_type: enc.encode("gpu-sensor\0") });
    const bare = nub("IOService", { device_type: enc.encode("gpu-sensor") });
    const other = nub("IOService", { device_type: enc.encode("gpu-sensor\0\0") });
    const t = personality({ IOPropertyMatch: dict({ device_type: "gpu-sensor" }) });
    expect(matchPassive(t, withNul, opts).matched).toBe(true);
    expect(matchPassive(t, bare, opts).matched).toBe(true);
    expect(matchPassive(t, other, opts).matched).toBe(false);
    expect(matchPassive(personality({ IOPropertyMatch: dict({ device_type: "gpu" }) }), withNul, opts).matched).toBe(false);
  });
});
