/**
 * Machine descriptions: the virtual hardware a kernel boots on, read from a property list (see
 * docs/machine.md), in the spirit of a device tree. `parseMachineDescription(value)` checks the whole
 * tree before anything is built — types, ranges, duplicate locations, impossible USB descriptors —
 * and returns typed nodes, so a machine either boots completely or not at all.
 *
 * Errors are {@link MachineDescriptionError}s naming the device (a path like `PCI0/XHC1/usb@2`) and
 * the key; the walk is bounded by the fixed shape of the format (no recursion on input depth).
 */
import { isOSDictionary, type OSValue } from "../../libkern/index.ts";
import type { BarDescription, DiskDescription, MachineDescription, PCIDeviceDescription, USBDeviceDescription } from "./machineTypes.ts";
import { MachineDescriptionError, Node, PCI_MODELS } from "./MachineNode.ts";
import { validateUSBDevice } from "./validateUSB.ts";

/** Parses `"1F,3"` / `"14"` (hex device[,function]) as on a PCI nub's location. */
function parseLocation(node: Node): { device: number; function: number } {
  const s = node.str("location");
  const m = /^([0-9a-fA-F]{1,2})(?:,([0-7]))?$/.exec(s);
  if (!m) node.fail("location", `'${s}' is not a PCI location (device[,function] in hex, e.g. 1F,3)`);
  const device = parseInt(m[1] as string, 16);
  if (device > 31) node.fail("location", `device ${device} is above 31`);
  return { device, function: m[2] === undefined ? 0 : Number(m[2]) };
}

const BAR_SIZE_MAX = 2 ** 40;

function parsePCI(value: OSValue, index: number): PCIDeviceDescription {
  const probe = isOSDictionary(value) && typeof value.get("name") === "string" ? (value.get("name") as string) : `pci[${index}]`;
  const node = new Node(`PCI0/${probe}`, value);
  const name = node.str("name");
  if (!/^[A-Za-z0-9_]{1,31}$/.test(name)) node.fail("name", `'${name}' must be 1–31 letters, digits or _`);
  const loc = parseLocation(node);
  const bars = node.array("bars").map((b, i) => {
    const bn = new Node(`${node.device}/bars[${i}]`, b);
    const kind = bn.oneOf("kind", ["mem32", "mem64", "io"] as const, false) as BarDescription["kind"];
    const size = bn.int("size", kind === "io" ? 4 : 16, kind === "mem32" ? 2 ** 31 : kind === "io" ? 256 : BAR_SIZE_MAX);
    if ((size & (size - 1)) !== 0 && size < 2 ** 31) bn.fail("size", `${size} is not a power of two`);
    return { kind, size };
  });
  if (bars.length > 6) node.fail("bars", `${bars.length} BARs; a PCI function has at most 6`);
  const model = node.oneOf("model", PCI_MODELS, true);
  const usb = node.array("usb").map((u, i) => validateUSBDevice(new Node(`${node.device}/usb[${i}]`, u)));
  if (usb.length > 0 && model !== "xhci") node.fail("usb", "USB devices need a controller with model 'xhci'");
  const ports = new Set<number>();
  for (const u of usb) {
    if (ports.has(u.port)) throw new MachineDescriptionError(u.path, "port", `port ${u.port} is already taken`);
    ports.add(u.port);
  }
  const disks = node.array("disks").map((d, i) => parseDisk(new Node(`${node.device}/disks[${i}]`, d)));
  if (disks.length > 0 && model !== "nvme-ramdisk") node.fail("disks", "disks need a controller with model 'nvme-ramdisk'");
  const mac = node.data("mac-address");
  if (mac !== undefined && mac.length !== 6) node.fail("mac-address", `${mac.length} bytes; an Ethernet address has 6`);
  if (model === "ethernet-loopback" && mac === undefined) node.fail("mac-address", "missing (an Ethernet controller needs one)");
  if (model !== undefined && bars.length === 0) node.fail("bars", `model '${model}' needs at least one memory BAR`);
  return {
    path: node.device, name, device: loc.device, function: loc.function,
    vendorID: node.int("vendor-id", 0, 0xfffe), deviceID: node.int("device-id", 0, 0xffff), classCode: node.int("class-code", 0, 0xffffff),
    revisionID: node.int("revision-id", 0, 0xff, 0), subsystemVendorID: node.int("subsystem-vendor-id", 0, 0xffff, 0),
    subsystemID: node.int("subsystem-id", 0, 0xffff, 0), bars, msiVectors: node.int("msi-vectors", 0, 32, 0),
    dmaAddressBits: node.int("dma-address-bits", 32, 64, 64), model, ioName: node.str("IOName", true), deviceModel: node.str("model-name", true),
    usb, disks, macAddress: mac, serialName: node.str("serial-name", true), faults: node.faults(),
  };
}

function parseDisk(node: Node): DiskDescription {
  const blockSize = node.int("block-size", 512, 4096, 512);
  if (blockSize !== 512 && blockSize !== 4096) node.fail("block-size", `${blockSize} is neither 512 nor 4096`);
  const size = node.int("size", blockSize * 64, 2 ** 36);
  if (size % blockSize !== 0) node.fail("size", `${size} is not a multiple of the block size ${blockSize}`);
  let used = 34 * blockSize * 2;
  const partitions = node.array("partitions").map((p, i) => {
    const pn = new Node(`${node.device}/partitions[${i}]`, p);
    const part = { name: pn.str("name"), type: pn.str("type"), size: pn.int("size", blockSize, 2 ** 36) };
    if (!/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(part.type)) pn.fail("type", `'${part.type}' is not an uppercase partition type GUID`);
    if (part.size % blockSize !== 0) pn.fail("size", `${part.size} is not a multiple of the block size ${blockSize}`);
    used += part.size;
    return part;
  });
  if (partitions.length > 128) node.fail("partitions", "more than 128 GPT entries");
  if (used > size) node.fail("partitions", `partitions need ${used} bytes with the GPT; the disk has ${size}`);
  return { path: node.device, size, blockSize, partitions };
}

/**
 * Checks a machine description (a plist's root dictionary) completely and returns its typed form.
 * @throws {MachineDescriptionError} naming the device and key of the first problem.
 */
export function parseMachineDescription(value: OSValue): MachineDescription {
  const root = new Node("machine", value);
  const pci = root.array("pci").map(parsePCI);
  const seen = new Map<string, string>();
  for (const d of pci) {
    const key = `${d.device},${d.function}`;
    const other = seen.get(key);
    if (other !== undefined) throw new MachineDescriptionError(d.path, "location", `${d.device.toString(16).toUpperCase()},${d.function} is already used by ${other}`);
    seen.set(key, d.path);
  }
  const names = new Set<string>();
  for (const d of pci) {
    if (names.has(d.name)) throw new MachineDescriptionError(d.path, "name", `'${d.name}' is used twice`);
    names.add(d.name);
  }
  return {
    model: root.str("model"), manufacturer: root.str("manufacturer", true) ?? "iokit-ts",
    serialNumber: root.str("serial-number", true) ?? "VM0000000001", boardID: root.str("board-id", true) ?? "Mac-VirtualMac1", pci,
  };
}

/** Checks one USB device node on its own (hot plug). @throws {MachineDescriptionError} */
export function parseUSBDeviceDescription(value: OSValue, path = "usb"): USBDeviceDescription {
  return validateUSBDevice(new Node(path, value));
}

/** Number of device nodes in a description (PCI functions, USB devices and interfaces, disks). */
export function countDevices(m: MachineDescription): number {
  let count = 1; // the PCI host bridge
  for (const d of m.pci) {
    count += 1 + d.disks.length;
    for (const u of d.usb) count += 1 + (u.configurations[0]?.interfaces.length ?? 0);
  }
  return count;
}
