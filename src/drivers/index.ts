/**
 * drivers (L3): the I/O Kit families as in-kernel code — IOPCIFamily, IOUSBHostFamily, IOHIDFamily,
 * IOSerialFamily, IOStorageFamily, IONetworkingFamily — the virtual hardware they drive, machine
 * descriptions and the machine loader. Each class is defined with its family's bundle identifier
 * as kmod; the kext bundles under `extensions/` carry their personalities (see docs/machine.md).
 */
export * from "./machine/index.ts";
export * from "./hardware/index.ts";
export * from "./pci/index.ts";
export * from "./usb/index.ts";
export * from "./hid/index.ts";
export * from "./serial/index.ts";
export * from "./storage/index.ts";
export * from "./network/index.ts";
export * from "./platform/index.ts";
