/**
 * Parses a configuration descriptor set as the host family does: configuration, interface,
 * HID and endpoint descriptors in order; unknown class-specific descriptors are skipped; a
 * descriptor whose length runs past the set (or is below 2) ends the walk.
 */
import type { EndpointDescription } from "../machine/index.ts";

export const kIOUSBHostFamilyBundleID = "com.apple.iokit.IOUSBHostFamily";

export interface ParsedInterface {
  readonly bInterfaceNumber: number; readonly bAlternateSetting: number; readonly bInterfaceClass: number;
  readonly bInterfaceSubClass: number; readonly bInterfaceProtocol: number; readonly iInterface: number;
  readonly endpoints: EndpointDescription[];
  /** wDescriptorLength of the HID descriptor's report descriptor, when present. */
  reportDescriptorLength: number | undefined;
}
export interface ParsedConfiguration { readonly bConfigurationValue: number; readonly bmAttributes: number; readonly bMaxPower: number; readonly interfaces: ParsedInterface[] }

export function parseConfiguration(bytes: Uint8Array): ParsedConfiguration | undefined {
  if (bytes.length < 9 || bytes[1] !== 2) return undefined;
  const config: ParsedConfiguration = { bConfigurationValue: bytes[5] ?? 0, bmAttributes: bytes[7] ?? 0, bMaxPower: bytes[8] ?? 0, interfaces: [] };
  let current: ParsedInterface | undefined;
  for (let off = bytes[0] ?? 9; off + 2 <= bytes.length;) {
    const len = bytes[off] ?? 0, type = bytes[off + 1] ?? 0;
    if (len < 2 || off + len > bytes.length) break;
    const b = (i: number): number => bytes[off + i] ?? 0;
    if (type === 4 && len >= 9) {
      current = { bInterfaceNumber: b(2), bAlternateSetting: b(3), bInterfaceClass: b(5), bInterfaceSubClass: b(6), bInterfaceProtocol: b(7), iInterface: b(8), endpoints: [], reportDescriptorLength: undefined };
      config.interfaces.push(current);
    } else if (type === 5 && len >= 7 && current) {
      current.endpoints.push({ bEndpointAddress: b(2), bmAttributes: b(3), wMaxPacketSize: b(4) | (b(5) << 8), bInterval: b(6) });
    } else if (type === 0x21 && len >= 9 && current) {
      current.reportDescriptorLength = b(7) | (b(8) << 8);
    }
    off += len;
  }
  return config;
}
