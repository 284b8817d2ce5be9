/**
 * A small synthetic machine for the replay's and the tool's tests: a registry snapshot built from
 * a nested literal, printable as `ioreg -l` text with the registry helper's renderer.
 */
import { formatIORegText, type IORegistrySnapshot, type IORegistrySnapshotEntry } from "../../formats/index.ts";
import { dict, num, type OSDictionary, type OSValue } from "../../libkern/index.ts";

export interface TestNode {
  readonly name: string;
  readonly cls: string;
  readonly loc?: string;
  /** Service state: "registered" (default), "none" for a non-IOService, "unregistered". */
  readonly state?: "registered" | "unregistered" | "none";
  readonly props?: Record<string, OSValue | number>;
  readonly children?: readonly TestNode[];
}

const toProps = (p: Record<string, OSValue | number> = {}): OSDictionary =>
  dict(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === "number" ? num(v) : v])));

/** Builds a snapshot (IDs from 0x100000100 in depth-first order). */
export function testSnapshot(root: TestNode): IORegistrySnapshot {
  const entries: IORegistrySnapshotEntry[] = [];
  const add = (n: TestNode): number => {
    const i = entries.length;
    const e = {
      id: 0x100000100n + BigInt(i), className: n.cls, planeNames: { IOService: n.name },
      planeLocations: (n.loc !== undefined ? { IOService: n.loc } : {}) as Record<string, string>, properties: toProps(n.props),
      children: { IOService: [] as number[] }, retain: 5,
      ...(n.state === "none" ? {} : { service: { state: n.state === "unregistered" ? 0 : 0x6, busy: 0, busyTimeNs: 0n } }),
    };
    entries.push(e);
    for (const c of n.children ?? []) e.children.IOService.push(add(c));
    return i;
  };
  add(root);
  return { planes: ["IOService"], entries, hasProperties: true };
}

/** `ioreg -l` text of a test machine. */
export function testDumpText(root: TestNode): string {
  return formatIORegText(testSnapshot(root), { list: true });
}

/** A driver node made by matching: its properties are the personality's keys. */
export function driver(cls: string, provider: string, extra: Record<string, OSValue | number> = {}, children: TestNode[] = []): TestNode {
  return { name: cls, cls, state: "unregistered", props: { IOClass: cls, IOProviderClass: provider, CFBundleIdentifier: `com.example.${cls}`, IOProbeScore: 0, IOMatchCategory: "IODefaultMatchCategory", ...extra }, children };
}

/** Little-endian 32-bit data. */
export const le32 = (n: number): Uint8Array => new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);

/** A machine with PCI, USB and IOResources drivers, one PCI device left without its driver. */
export function testMachine(): TestNode {
  const pci = (name: string, loc: string, ven: number, dev: number, cls: number, children: TestNode[] = []): TestNode => ({
    name, cls: "IOPCIDevice", loc, props: { "vendor-id": le32(ven), "device-id": le32(dev), "class-code": le32(cls), "revision-id": le32(1) }, children,
  });
  return {
    name: "Root", cls: "IORegistryEntry", state: "none", props: { OSKernelCPUType: 16777223 },
    children: [{
      name: "TestMac1,1", cls: "IOPlatformExpertDevice", children: [
        { name: "IOResources", cls: "IOResources", props: { IOKit: "IOService", IOBSD: "IOService" }, children: [
          driver("KeyStore", "IOResources", { IOMatchCategory: "KeyStore", IOResourceMatch: "IOKit" }),
        ] },
        { name: "PCI0", cls: "IOService", loc: "0", children: [
          pci("ETH0", "1", 0x14e4, 0x1684, 0x020000, [driver("Enet", "IOPCIDevice", { IOPCIMatch: "0x168414e4" })]),
          pci("ETH1", "2", 0x14e4, 0x1684, 0x020000),
          pci("XHC1", "14", 0x8086, 0x1e31, 0x0c0330, [driver("XHCI", "IOPCIDevice", { IOPCIClassMatch: "0x0c033000", IOProbeScore: 100 }, [
            { name: "Hub", cls: "IOUSBDevice", loc: "14000000", props: { idVendor: 0x5ac, idProduct: 0x8242, bcdDevice: 0x16, bDeviceClass: 9, bDeviceSubClass: 0, bDeviceProtocol: 1 }, children: [
              driver("USBHub", "IOUSBDevice", { bDeviceClass: 9, bDeviceSubClass: 0, IOProbeScore: 50000 }),
            ] },
          ])]),
        ] },
      ],
    }],
  };
}
