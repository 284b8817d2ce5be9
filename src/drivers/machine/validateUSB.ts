/**
 * USB device nodes of a machine description: descriptor fields checked against the USB 2.0/3.x
 * rules a host controller would trip over (packet sizes per speed, endpoint numbering, interval,
 * HID interfaces without a report descriptor).
 */
import type { ConfigurationDescription, EndpointDescription, InterfaceDescription, USBDeviceDescription } from "./machineTypes.ts";
import { MachineDescriptionError, Node, USB_MODELS } from "./MachineNode.ts";

const EP0_SIZES: Record<string, readonly number[]> = { low: [8], full: [8, 16, 32, 64], high: [64], super: [512] };
const BULK_MAX: Record<string, number> = { low: 0, full: 64, high: 512, super: 1024 };

function endpoint(node: Node, speed: string): EndpointDescription {
  const e = {
    bEndpointAddress: node.int("bEndpointAddress", 0, 0xff), bmAttributes: node.int("bmAttributes", 0, 0x3f),
    wMaxPacketSize: node.int("wMaxPacketSize", 1, 1024), bInterval: node.int("bInterval", 0, 255, 0),
  };
  const num = e.bEndpointAddress & 0x0f;
  if (num === 0 || (e.bEndpointAddress & 0x70) !== 0) node.fail("bEndpointAddress", `0x${e.bEndpointAddress.toString(16)} is not endpoint 1…15 with a direction bit`);
  const type = e.bmAttributes & 3;
  if (type === 0) node.fail("bmAttributes", "only endpoint 0 may be a control endpoint");
  if (type === 2 && e.wMaxPacketSize > (BULK_MAX[speed] ?? 0)) node.fail("wMaxPacketSize", `${e.wMaxPacketSize} is too large for a ${speed}-speed bulk endpoint (max ${BULK_MAX[speed]})`);
  if (type === 3 && e.bInterval === 0) node.fail("bInterval", "an interrupt endpoint needs an interval of at least 1");
  return e;
}

function iface(node: Node, speed: string): InterfaceDescription {
  const i: InterfaceDescription = {
    bInterfaceNumber: node.int("bInterfaceNumber", 0, 255), bAlternateSetting: node.int("bAlternateSetting", 0, 255, 0),
    bInterfaceClass: node.int("bInterfaceClass", 0, 255), bInterfaceSubClass: node.int("bInterfaceSubClass", 0, 255, 0),
    bInterfaceProtocol: node.int("bInterfaceProtocol", 0, 255, 0), name: node.str("name", true),
    endpoints: node.array("endpoints").map((e, k) => endpoint(new Node(`${node.device}/endpoints[${k}]`, e), speed)),
    reportDescriptor: node.data("report-descriptor"),
  };
  const addrs = new Set<number>();
  for (const e of i.endpoints) {
    if (addrs.has(e.bEndpointAddress)) node.fail("endpoints", `endpoint 0x${e.bEndpointAddress.toString(16)} appears twice`);
    addrs.add(e.bEndpointAddress);
  }
  if (i.bInterfaceClass === 3) {
    if (i.reportDescriptor === undefined || i.reportDescriptor.length === 0) node.fail("report-descriptor", "a HID interface (class 3) needs a report descriptor");
    if (!i.endpoints.some((e) => (e.bmAttributes & 3) === 3 && (e.bEndpointAddress & 0x80) !== 0)) node.fail("endpoints", "a HID interface needs an interrupt IN endpoint");
  }
  return i;
}

function configuration(node: Node, speed: string): ConfigurationDescription {
    const c = {
    bConfigurationValue: node.int("bConfigurationValue", 1, 255, 1), bmAttributes: node.int("bmAttributes", 0x80, 0xe0, 0x80),
    bMaxPower: node.int("bMaxPower", 0, 250, 50),
    interfaces: node.array("interfaces").map((x, k) => iface(new Node(`${node.device}/interfaces[${k}]`, x), speed)),
  };
  if (c.interfaces.length === 0) node.fail("interfaces", "a configuration needs at least one interface");
  const seen = new Set<string>();
  for (const i of c.interfaces) {
    const key = `${i.bInterfaceNumber}/${i.bAlternateSetting}`;
    if (seen.has(key)) node.fail("interfaces", `interface ${i.bInterfaceNumber} alternate ${i.bAlternateSetting} appears twice`);
    seen.add(key);
  }
  return c;
}

/** Checks one USB device node. */
export function validateUSBDevice(node: Node): USBDeviceDescription {
    const speed = node.oneOf("speed", ["low", "full", "high", "super"] as const, true) ?? "full";
  const product = node.str("USB Product Name", true);
  const path = product !== undefined ? `${node.device} (${product})` : node.device;
  const named = new Node(path, node.dict);
  const d: USBDeviceDescription = {
    path, port: named.int("port", 1, 15), speed,
    bcdUSB: named.int("bcdUSB", 0x100, 0x320, speed === "super" ? 0x300 : 0x200), bDeviceClass: named.int("bDeviceClass", 0, 255, 0),
    bDeviceSubClass: named.int("bDeviceSubClass", 0, 255, 0), bDeviceProtocol: named.int("bDeviceProtocol", 0, 255, 0),
    bMaxPacketSize0: named.int("bMaxPacketSize0", 8, 512, speed === "super" ? 512 : 64), idVendor: named.int("idVendor", 0, 0xffff),
    idProduct: named.int("idProduct", 0, 0xffff), bcdDevice: named.int("bcdDevice", 0, 0xffff, 0x100),
    manufacturer: named.str("USB Vendor Name", true), product, serialNumber: named.str("USB Serial Number", true),
    configurations: named.array("configurations").map((c, k) => configuration(new Node(`${path}/configurations[${k}]`, c), speed)),
    model: named.oneOf("model", USB_MODELS, true), faults: named.faults(),
  };
  if (!(EP0_SIZES[speed] ?? []).includes(d.bMaxPacketSize0)) named.fail("bMaxPacketSize0", `${d.bMaxPacketSize0} is impossible at ${speed} speed (allowed: ${(EP0_SIZES[speed] ?? []).join(", ")})`);
  if (d.configurations.length === 0) named.fail("configurations", "a device needs at least one configuration");
  const values = new Set<number>();
  for (const c of d.configurations) {
    if (values.has(c.bConfigurationValue)) throw new MachineDescriptionError(path, "bConfigurationValue", `${c.bConfigurationValue} appears twice`);
    values.add(c.bConfigurationValue);
  }
  return d;
}
