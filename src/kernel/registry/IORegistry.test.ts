import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IOReturnError } from "../../base/index.ts";
import { num } from "../../libkern/index.ts";
import { IORegistry } from "./IORegistry.ts";
import { compareLocations } from "./registryPath.ts";
import { kIOServiceBusyMax, kIOServiceRegisteredState } from "./serviceState.ts";

function platform(reg = new IORegistry()) {
  const pe = reg.createEntry("IOPlatformExpertDevice", { name: "MacBookPro15,1", isService: true });
  pe.attachToParent(reg.root, "IOService");
  const acpi = reg.createEntry("AppleACPIPlatformExpert", { isService: true });
  acpi.attachToParent(pe, "IOService");
  const pci = reg.createEntry("AppleACPIPCI", { name: "PCI0", isService: true });
  pci.setLocation("0");
  pci.attachToParent(acpi, "IOService");
  return { reg, pe, acpi, pci };
}

describe("IORegistry entries", () => {
  it("numbers entries from 0x100000100 in allocation order, attached or not", () => {
    const reg = new IORegistry();
    expect(reg.root.entryID).toBe(0x100000100n);
    const a = reg.createEntry("A");
    const b = reg.createEntry("B");
    expect([a.entryID, b.entryID]).toEqual([0x100000101n, 0x100000102n]);
    expect(reg.entryForID(a.entryID)).toBeUndefined();
    a.attachToParent(reg.root, "IOService");
    expect(reg.entryForID(a.entryID)).toBe(a);
  });

  it("names fall back from plane name to IOName to class name; locations from plane to generic", () => {
    const reg = new IORegistry();
    const e = reg.createEntry("IOPCIDevice");
    expect(e.getName("IOService")).toBe("IOPCIDevice");
    e.setName("pci8086,a12f");
    expect(e.getName("IOService")).toBe("pci8086,a12f");
    e.setName("XHC1", "IODeviceTree");
    expect(e.getName("IODeviceTree")).toBe("XHC1");
    expect(e.getName("IOService")).toBe("pci8086,a12f");
    expect(e.getLocation("IOService")).toBeUndefined();
    e.setLocation("14");
    e.setLocation("14,0", "IODeviceTree");
    expect([e.getLocation("IOService"), e.getLocation("IODeviceTree")]).toEqual(["14", "14,0"]);
  });

  it("keeps children in attach order and treats a re-attach as a no-op", () => {
    const { reg, acpi } = platform();
    const extra = reg.createEntry("IOResources", { isService: true });
    expect(extra.attachToParent(acpi, "IOService")).toBe(true);
    expect(extra.attachToParent(acpi, "IOService")).toBe(false);
    expect(acpi.getChildEntries("IOService").map((c) => c.getName("IOService"))).toEqual(["PCI0", "IOResources"]);
    expect(extra.isParent(acpi, "IOService") && acpi.isChild(extra, "IOService")).toBe(true);
  });

  it("keeps planes independent", () => {
    const { reg, pci } = platform();
    const dt = reg.createEntry("IOACPIPlatformDevice", { name: "PCI0" });
    dt.attachToParent(reg.root, "IODeviceTree");
    expect(pci.inPlane("IODeviceTree")).toBe(false);
    expect(dt.inPlane("IOService")).toBe(false);
    expect(reg.root.getChildEntries("IODeviceTree")).toEqual([dt]);
  });

  it("supports any number of planes and rejects unknown or bad plane names", () => {
    const reg = new IORegistry();
    reg.makePlane("IOACPIPlane");
    expect(reg.planes.map((p) => p.name)).toContain("IOACPIPlane");
    expect((reg.root.getProperty("IORegistryPlanes") as Map<string, unknown>).get("IOACPIPlane")).toBe("IOACPIPlane");
    expect(() => reg.root.getChildEntries("NoSuchPlane")).toThrow(IOReturnError);
    expect(() => reg.makePlane("x".repeat(33))).toThrow(IOReturnError);
  });

  it("keeps property insertion order and types", () => {
    const reg = new IORegistry();
    const e = reg.createEntry("X");
    e.setProperty("b", num(1, 32));
    e.setProperty("a", "text");
    e.setProperty("b", num(2, 32));
    expect([...e.properties.keys()]).toEqual(["b", "a"]);
    expect(e.getProperty("b")).toEqual(num(2, 32));
  });

  it("counts retains from links and shows the low 16 bits", () => {
    const reg = new IORegistry();
    const e = reg.createEntry("X");
    expect(e.retainCount).toBe(1);
    e.attachToParent(reg.root, "IOService");
    expect(e.retainCount).toBe(2);
    e.detachFromParent(reg.root, "IOService");
    expect(e.retainCount).toBe(1);
    e.restoreRetainCount(0x1_0005);
    expect(e.retainCount).toBe(5);
  });
});

describe("IORegistry paths", () => {
  it("builds paths relative to the root's first child and resolves them back", () => {
    const { reg, pe, pci } = platform();
    expect(reg.getPath(pe, "IOService")).toBe("IOService:/");
    expect(pci.getPath("IOService")).toBe("IOService:/AppleACPIPlatformExpert/PCI0@0");
    expect(reg.fromPath("IOService:/AppleACPIPlatformExpert/PCI0@0")).toBe(pci);
    expect(reg.fromPath("IOService:/")).toBe(pe);
    expect(reg.fromPath("IOService:")).toBe(reg.root);
    expect(reg.fromPath("/AppleACPIPlatformExpert/PCI0", { plane: "IOService" })).toBe(pci);
    expect(reg.fromPath("/AppleACPIPlatformExpert/PCI0")).toBeUndefined();
  });

  it("compares locations numerically with missing trailing fields as zero", () => {
    expect(compareLocations("1f,3", "1F,3,0")).toBe(true);
    expect(compareLocations("14", "14,0")).toBe(true);
    expect(compareLocations("14", "14,1")).toBe(false);
    expect(compareLocations("0:1", "0,1")).toBe(true);
    expect(compareLocations("abc", "abd")).toBe(false);
    const { reg, pci } = platform();
    expect(reg.fromPath("IOService:/AppleACPIPlatformExpert/PCI0@0,0")).toBe(pci);
    expect(reg.fromPath("IOService:/AppleACPIPlatformExpert/PCI0@1")).toBeUndefined();
  });

  it("reports the residual path where resolution stops", () => {
    const { reg, acpi } = platform();
    expect(reg.lookupPath("IOService:/AppleACPIPlatformExpert/Nope/Deeper")).toEqual({ entry: acpi, residual: "Nope/Deeper" });
  });

  it("uses device-tree aliases both ways, shortest alias winning", () => {
    const reg = new IORegistry();
    const top = reg.createEntry("IOPlatformExpertDevice", { name: "device-tree" });
    top.attachToParent(reg.root, "IODeviceTree");
    const aliases = reg.createEntry("IOService", { name: "aliases" });
    aliases.attachToParent(top, "IODeviceTree");
    const pci = reg.createEntry("IOService", { name: "pci", location: "0" });
    pci.attachToParent(top, "IODeviceTree");
    const gfx = reg.createEntry("IOService", { name: "display", location: "2" });
    gfx.attachToParent(pci, "IODeviceTree");
    aliases.setProperty("graphics", new TextEncoder().encode("/pci@0/display@2\0"));
    aliases.setProperty("gfx", "/pci@0/display@2");
    expect(gfx.getPath("IODeviceTree")).toBe("IODeviceTree:gfx");
    expect(pci.getPath("IODeviceTree")).toBe("IODeviceTree:/pci@0");
    expect(reg.fromPath("IODeviceTree:graphics")).toBe(gfx);
    expect(reg.fromPath("IODeviceTree:/pci/display@2")).toBe(gfx);
  });
});

describe("IORegistry iteration", () => {
  it("walks depth-first in attach order and returns a shared child once", () => {
    const { reg, pe, acpi, pci } = platform();
    const shared = reg.createEntry("Shared");
    shared.attachToParent(acpi, "IOService");
    shared.attachToParent(pci, "IOService");
    const names = [...reg.iterate(reg.root, "IOService", { recursive: true })].map((e) => e.className);
    expect(names).toEqual([pe.className, acpi.className, pci.className, "Shared"]);
  });

  it("stays safe while entries are detached and attached during the walk, and reports staleness", () => {
    const { reg, acpi, pci } = platform();
    const it = reg.iterate(reg.root, "IOService", { recursive: true });
    const seen: string[] = [];
    for (const e of it) {
      seen.push(e.className);
      if (e === acpi) {
        pci.detachFromParent(acpi, "IOService");
        reg.createEntry("Late").attachToParent(acpi, "IOService");
      }
    }
    expect(seen).toEqual(["IOPlatformExpertDevice", "AppleACPIPlatformExpert", "Late"]);
    expect(it.isValid()).toBe(false);
    it.reset();
    expect(it.isValid()).toBe(true);
  });

  it("searches a property up the parents or down the children", () => {
    const { reg, pe, pci } = platform();
    pe.setProperty("#address-cells", num(2, 32));
    pci.setProperty("leaf", true);
    expect(reg.searchProperty(pci, "#address-cells", "IOService")).toBeUndefined();
    expect(reg.searchProperty(pci, "#address-cells", "IOService", { recursive: true, parents: true })).toEqual(num(2, 32));
    expect(reg.searchProperty(pe, "leaf", "IOService", { recursive: true })).toBe(true);
  });

  it("finds entries by ID, name, class and property", () => {
    const { reg, pci } = platform();
    pci.setProperty("compatible", "PNP0A08");
    expect(reg.entryForID(pci.entryID)).toBe(pci);
    expect(reg.findByName("PCI0@0")).toEqual([pci]);
    expect(reg.findByClass("AppleACPIPCI")).toEqual([pci]);
    expect(reg.findByProperty("compatible", "PNP0A08")).toEqual([pci]);
  });
});

describe("IOService state and busy counts", () => {
  it("propagates idle/busy transitions up the provider chain and accumulates busy time", () => {
    let t = 0n;
    const { reg, pe, acpi, pci } = platform(new IORegistry({ clock: () => t }));
    const events: string[] = [];
    reg.onBusyChange((e, b) => events.push(`${e.className}=${b}`));
    pci.adjustBusy(1);
    pci.adjustBusy(1);
    expect([pci.busyState, acpi.busyState, pe.busyState]).toEqual([2, 1, 1]);
    t = 5_000_000n;
    pci.adjustBusy(-2);
    expect([pci.busyState, acpi.busyState, pe.busyState]).toEqual([0, 0, 0]);
    expect(pci.busyTimeNs).toBe(5_000_000n);
    expect(events[0]).toBe("AppleACPIPCI=1");
    pci.setStateBits(kIOServiceRegisteredState);
    expect(pci.state).toBe(kIOServiceRegisteredState);
  });

  it("refuses counts above 1023 or below 0", () => {
    const { pci } = platform();
    expect(() => pci.adjustBusy(-1)).toThrow(IOReturnError);
    pci.adjustBusy(kIOServiceBusyMax);
    expect(() => pci.adjustBusy(1)).toThrow(IOReturnError);
  });
});

describe("IORegistry snapshots", () => {
  it("round-trips through toSnapshot/fromSnapshot", () => {
    const { reg, pci } = platform();
    pci.setProperty("k", num(7, 32));
    pci.setName("PCI0", "IODeviceTree");
    pci.attachToParent(reg.root, "IODeviceTree");
    const snap = reg.toSnapshot();
    const again = IORegistry.fromSnapshot(snap).toSnapshot();
    expect(again).toEqual(snap);
  });

  it("keeps attach/detach consistent on random operation sequences", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(7), fc.nat(7), fc.boolean()), { maxLength: 60 }), (ops) => {
      const reg = new IORegistry();
      const es = [reg.root, ...Array.from({ length: 7 }, (_, i) => reg.createEntry(`E${i}`))];
      for (const [a, b, attach] of ops) {
        const child = es[a + 1 > 7 ? 7 : a + 1]!;
        const parent = es[b]!;
        if (child === parent) continue;
        if (attach) child.attachToParent(parent, "IOService");
        else child.detachFromParent(parent, "IOService");
      }
      for (const p of es) for (const c of p.getChildEntries("IOService")) expect(c.isParent(p, "IOService")).toBe(true);
      for (const c of es) for (const p of c.getParentEntries("IOService")) expect(p.getChildEntries("IOService")).toContain(c);
    }));
  });
});
