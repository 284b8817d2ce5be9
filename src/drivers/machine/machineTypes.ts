/**
 * Typed nodes of a machine description (what `parseMachineDescription` returns); see docs/machine.md.
 */
export interface BarDescription { readonly kind: "mem32" | "mem64" | "io"; readonly size: number }
export interface EndpointDescription { readonly bEndpointAddress: number; readonly bmAttributes: number; readonly wMaxPacketSize: number; readonly bInterval: number }
export interface InterfaceDescription {
  readonly bInterfaceNumber: number; readonly bAlternateSetting: number; readonly bInterfaceClass: number;
  readonly bInterfaceSubClass: number; readonly bInterfaceProtocol: number; readonly name: string | undefined;
  readonly endpoints: readonly EndpointDescription[];
  /** HID interfaces: the report descriptor. */
  readonly reportDescriptor: Uint8Array | undefined;
}
export interface ConfigurationDescription { readonly bConfigurationValue: number; readonly bmAttributes: number; readonly bMaxPower: number; readonly interfaces: readonly InterfaceDescription[] }
export interface USBDeviceDescription {
  readonly path: string; readonly port: number; readonly speed: "low" | "full" | "high" | "super";
  readonly bcdUSB: number; readonly bDeviceClass: number; readonly bDeviceSubClass: number; readonly bDeviceProtocol: number;
  readonly bMaxPacketSize0: number; readonly idVendor: number; readonly idProduct: number; readonly bcdDevice: number;
  readonly manufacturer: string | undefined; readonly product: string | undefined; readonly serialNumber: string | undefined;
  readonly configurations: readonly ConfigurationDescription[];
  /** Virtual hardware behind it: keyboard, trackpad, mouse, cdc-acm, or none (descriptors only). */
  readonly model: string | undefined;
  readonly faults: ReadonlySet<string>;
}
export interface DiskDescription { readonly path: string; readonly size: number; readonly blockSize: number; readonly partitions: readonly { name: string; type: string; size: number }[] }
export interface PCIDeviceDescription {
  readonly path: string; readonly name: string; readonly device: number; readonly function: number;
  readonly vendorID: number; readonly deviceID: number; readonly classCode: number; readonly revisionID: number;
  readonly subsystemVendorID: number; readonly subsystemID: number;
  readonly bars: readonly BarDescription[]; readonly msiVectors: number; readonly dmaAddressBits: number;
  readonly model: string | undefined; readonly ioName: string | undefined; readonly deviceModel: string | undefined;
  readonly usb: readonly USBDeviceDescription[]; readonly disks: readonly DiskDescription[];
  readonly macAddress: Uint8Array | undefined; readonly serialName: string | undefined;
  readonly faults: ReadonlySet<string>;
}
export interface MachineDescription {
  readonly model: string; readonly manufacturer: string; readonly serialNumber: string; readonly boardID: string;
  readonly pci: readonly PCIDeviceDescription[];
}

