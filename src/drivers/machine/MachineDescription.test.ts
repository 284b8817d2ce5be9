import { describe, expect, it } from "vitest";
import { OSNumber, type OSValue } from "../../libkern/index.ts";
import { countDevices, defaultMachine, fromJS, MachineDescriptionError, parseMachineDescription } from "./index.ts";

/** The default machine with one edit applied at a path of keys/indexes. */
function edited(path: Array<string | number>, value: unknown): OSValue {
  const m = defaultMachine();
  let node: OSValue = m;
  for (const k of path.slice(0, -1)) node = (typeof k === "number" ? (node as OSValue[])[k] : (node as Map<string, OSValue>).get(k)) as OSValue;
  const last = path[path.length - 1] as string | number;
  if (typeof last === "number") (node as OSValue[])[last] = fromJS(value);
  else if (value === undefined) (node as Map<string, OSValue>).delete(last);
  else (node as Map<string, OSValue>).set(last, fromJS(value));
  return m;
}

function errorOf(v: OSValue): MachineDescriptionError {
  try {
    parseMachineDescription(v);
  } catch (e) {
    if (e instanceof MachineDescriptionError) return e;
    throw e;
  }
  throw new Error("description was accepted");
}

describe("machine descriptions", () => {
  it("the default machine is valid and has at least 30 devices across the buses", () => {
    const m = parseMachineDescription(defaultMachine());
    expect(countDevices(m)).toBeGreaterThanOrEqual(30);
    expect(new Set(m.pci.map((d) => d.model).filter(Boolean))).toEqual(new Set(["xhci", "uart16550", "nvme-ramdisk", "ethernet-loopback", "sample"]));
    expect(m.pci.find((d) => d.model === "xhci")?.usb.length).toBeGreaterThanOrEqual(4);
  });

  it("names the device and key of a wrong type", () => {
    const e = errorOf(edited(["pci", 3, "vendor-id"], "0x8086"));
    expect(e.device).toBe("PCI0/XHC1");
    expect(e.key).toBe("vendor-id");
    expect(e.message).toContain("expected an integer, got string '0x8086'");
  });

  it("rejects duplicate PCI locations naming both devices", () => {
    const e = errorOf(edited(["pci", 2, "location"], "14"));
    expect(e.key).toBe("location");
    expect(e.message).toMatch(/14,0 is already used by PCI0\/(XHC1|HDAU)/);
  });

  it("rejects impossible USB descriptors", () => {
    const usb = ["pci", 3, "usb"];
    expect(errorOf(edited([...usb, 0, "bMaxPacketSize0"], 7)).message).toContain("bMaxPacketSize0");
    expect(errorOf(edited([...usb, 1, "port"], 1)).message).toContain("port 1 is already taken");
    const noReport = errorOf(edited([...usb, 0, "configurations", 0, "interfaces", 0, "report-descriptor"], undefined));
    expect(noReport.key).toBe("report-descriptor");
    expect(noReport.device).toContain("Magic Keyboard");
    const ep0 = errorOf(edited([...usb, 3, "configurations", 0, "interfaces", 1, "endpoints", 0, "bEndpointAddress"], 0x80));
    expect(ep0.key).toBe("bEndpointAddress");
    const bulk = errorOf(edited([...usb, 3, "configurations", 0, "interfaces", 1, "endpoints", 0, "wMaxPacketSize"], 512));
    expect(bulk.message).toContain("too large for a full-speed bulk endpoint");
  });

  it("rejects out-of-range values, unknown models and faults, and partitions that do not fit", () => {
    expect(errorOf(edited(["pci", 0, "class-code"], 0x1000000)).key).toBe("class-code");
    expect(errorOf(edited(["pci", 5, "model"], "uart8250")).message).toContain("not one of");
    expect(errorOf(edited(["pci", 5, "faults"], ["on-fire"])).key).toBe("faults");
    expect(errorOf(edited(["pci", 9, "disks", 0, "size"], 1024 * 1024)).key).toBe("partitions");
    expect(errorOf(edited(["pci", 10, "mac-address"], new Uint8Array(5))).key).toBe("mac-address");
  });

  it("rejects a root that is not a dictionary and a missing model", () => {
    expect(errorOf(fromJS([1, 2])).device).toBe("machine");
    expect(errorOf(edited(["model"], undefined)).key).toBe("model");
  });

  it("keeps integers as integers", () => {
    const m = parseMachineDescription(defaultMachine());
    expect(m.pci[3]?.vendorID).toBe(0x8086);
    expect(defaultMachine() instanceof Map && (defaultMachine() as Map<string, OSValue>).get("pci")).toBeTruthy();
    expect(fromJS(5)).toBeInstanceOf(OSNumber);
  });
});
