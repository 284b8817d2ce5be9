/**
 * USB descriptors as bytes (USB 2.0 §9.6, HID 1.11 §6.2.1) from a machine description's device
 * node: what a virtual device answers to GET_DESCRIPTOR.
 */
import type { ConfigurationDescription, USBDeviceDescription } from "../machine/index.ts";

export const kUSBDeviceDesc = 1, kUSBConfDesc = 2, kUSBStringDesc = 3, kUSBInterfaceDesc = 4, kUSBEndpointDesc = 5, kUSBHIDDesc = 0x21, kUSBReportDesc = 0x22;

/** Descriptors are pure functions of the (immutable) description: built once per description. */
const cache = new WeakMap<object, Map<string, Uint8Array | string[] | undefined>>();
function memo<T extends Uint8Array | string[] | undefined>(d: object, key: string, make: () => T): T {
  let m = cache.get(d);
  if (m === undefined) cache.set(d, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/** String indexes a virtual device uses: 1 manufacturer, 2 product, 3 serial number, 4… interface names. */
export function stringTable(d: USBDeviceDescription): string[] {
  return memo(d, "strings", () => buildStringTable(d));
}

function buildStringTable(d: USBDeviceDescription): string[] {
  const names = d.configurations.flatMap((c) => c.interfaces.map((i) => i.name)).filter((s): s is string => s !== undefined);
  return [d.manufacturer ?? "", d.product ?? "", d.serialNumber ?? "", ...names];
}

export function deviceDescriptor(d: USBDeviceDescription): Uint8Array {
  return memo(d, "device", () => buildDeviceDescriptor(d));
}

function buildDeviceDescriptor(d: USBDeviceDescription): Uint8Array {
  const b = new Uint8Array(18);
  const v = new DataView(b.buffer);
  b[0] = 18; b[1] = kUSBDeviceDesc;
  v.setUint16(2, d.bcdUSB, true);
  b[4] = d.bDeviceClass; b[5] = d.bDeviceSubClass; b[6] = d.bDeviceProtocol;
  b[7] = d.speed === "super" ? 9 : d.bMaxPacketSize0;
  v.setUint16(8, d.idVendor, true); v.setUint16(10, d.idProduct, true); v.setUint16(12, d.bcdDevice, true);
  b[14] = d.manufacturer !== undefined ? 1 : 0; b[15] = d.product !== undefined ? 2 : 0; b[16] = d.serialNumber !== undefined ? 3 : 0;
  b[17] = d.configurations.length;
  return b;
}

/** The full configuration descriptor set (configuration, interfaces, HID, endpoints). */
export function configurationDescriptor(d: USBDeviceDescription, c: ConfigurationDescription): Uint8Array {
  return memo(c, "config", () => buildConfigurationDescriptor(d, c));
}

function buildConfigurationDescriptor(d: USBDeviceDescription, c: ConfigurationDescription): Uint8Array {
  const parts: number[][] = [];
  const names = stringTable(d);
  const interfaceNumbers = new Set(c.interfaces.map((i) => i.bInterfaceNumber));
  for (const i of c.interfaces) {
    parts.push([9, kUSBInterfaceDesc, i.bInterfaceNumber, i.bAlternateSetting, i.endpoints.length, i.bInterfaceClass, i.bInterfaceSubClass, i.bInterfaceProtocol, i.name !== undefined ? names.indexOf(i.name, 3) + 1 : 0]);
    if (i.reportDescriptor !== undefined) {
      const len = i.reportDescriptor.length;
      parts.push([9, kUSBHIDDesc, 0x11, 0x01, 0, 1, kUSBReportDesc, len & 0xff, len >> 8]);
    }
    for (const e of i.endpoints) parts.push([7, kUSBEndpointDesc, e.bEndpointAddress, e.bmAttributes, e.wMaxPacketSize & 0xff, e.wMaxPacketSize >> 8, e.bInterval]);
  }
  const total = 9 + parts.reduce((s, p) => s + p.length, 0);
  const out = [9, kUSBConfDesc, total & 0xff, total >> 8, interfaceNumbers.size, c.bConfigurationValue, 0, c.bmAttributes, c.bMaxPower, ...parts.flat()];
  return Uint8Array.from(out);
}

/** String descriptor `index` (0: the language list, US English). */
export function stringDescriptor(d: USBDeviceDescription, index: number): Uint8Array | undefined {
  return memo(d, `string${index}`, () => buildStringDescriptor(d, index));
}

function buildStringDescriptor(d: USBDeviceDescription, index: number): Uint8Array | undefined {
  if (index === 0) return Uint8Array.from([4, kUSBStringDesc, 0x09, 0x04]);
  const s = stringTable(d)[index - 1];
  if (s === undefined || s === "") return undefined;
  const out = new Uint8Array(2 + 2 * s.length);
  out[0] = out.length; out[1] = kUSBStringDesc;
  for (let i = 0; i < s.length; i++) { out[2 + 2 * i] = s.charCodeAt(i) & 0xff; out[3 + 2 * i] = s.charCodeAt(i) >> 8; }
  return out;
}
