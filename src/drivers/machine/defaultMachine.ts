/**
 * The default machine, "VirtualMac1,1": a small Intel-style Mac as a machine description. Its PCI
 * bus mirrors a real laptop's layout (host bridge, graphics, audio, LPC, SMBus, xHCI with a
 * keyboard, trackpad, mouse, CDC-ACM modem and descriptor-only devices, a 16550 UART, an
 * NVMe-class RAM disk with a GUID partition table (EFI, APFS, Recovery and an Apple_RAID member), a loopback Ethernet NIC, PCIe root ports and
 * a sample device for AppleSamplePCI). `defaultMachine()` returns the property list value, the same
 * shape a user's `.plist` machine file has (docs/machine.md).
 */
import type { OSValue } from "../../libkern/index.ts";
import { KEYBOARD_REPORT_DESCRIPTOR, MOUSE_REPORT_DESCRIPTOR, TRACKPAD_REPORT_DESCRIPTOR } from "./hidDescriptors.ts";
import { fromJS } from "./osProps.ts";

const hid = (n: number, name: string, protocol: number, report: Uint8Array, packet: number, interval: number) => ({
  bInterfaceNumber: n, bInterfaceClass: 3, bInterfaceSubClass: protocol === 0 ? 0 : 1, bInterfaceProtocol: protocol, name,
  "report-descriptor": report, endpoints: [{ bEndpointAddress: 0x81 + n, bmAttributes: 3, wMaxPacketSize: packet, bInterval: interval }],
});

/** USB devices on the xHCI controller's root ports. */
const USB_DEVICES = [
  {
    port: 1, speed: "full", idVendor: 0x05ac, idProduct: 0x0267, bcdDevice: 0x0110, "USB Vendor Name": "Apple Inc.",
    "USB Product Name": "Magic Keyboard", "USB Serial Number": "F0T000000001", model: "keyboard",
    configurations: [{ bMaxPower: 50, interfaces: [hid(0, "Keyboard", 1, KEYBOARD_REPORT_DESCRIPTOR, 8, 8)] }],
  },
  {
    port: 2, speed: "full", idVendor: 0x05ac, idProduct: 0x0265, bcdDevice: 0x0110, "USB Vendor Name": "Apple Inc.",
    "USB Product Name": "Magic Trackpad", "USB Serial Number": "CC2000000001", model: "trackpad",
    configurations: [{ bMaxPower: 50, interfaces: [hid(0, "Trackpad", 0, TRACKPAD_REPORT_DESCRIPTOR, 16, 2)] }],
  },
  {
    port: 3, speed: "low", bMaxPacketSize0: 8, bcdUSB: 0x110, idVendor: 0x046d, idProduct: 0xc077, bcdDevice: 0x7200, "USB Vendor Name": "Logitech",
    "USB Product Name": "USB Optical Mouse", model: "mouse",
    configurations: [{ bMaxPower: 50, interfaces: [hid(0, "Mouse", 2, MOUSE_REPORT_DESCRIPTOR, 4, 10)] }],
  },
  {
    port: 4, speed: "full", bDeviceClass: 2, idVendor: 0x2341, idProduct: 0x0043, bcdDevice: 0x0001, "USB Vendor Name": "iokit-ts",
    "USB Product Name": "Virtual CDC Modem", "USB Serial Number": "ACM0001", model: "cdc-acm",
    configurations: [{
      bMaxPower: 50,
      interfaces: [
        { bInterfaceNumber: 0, bInterfaceClass: 2, bInterfaceSubClass: 2, bInterfaceProtocol: 1, name: "CDC Abstract Control Model", endpoints: [{ bEndpointAddress: 0x82, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 255 }] },
        { bInterfaceNumber: 1, bInterfaceClass: 10, name: "CDC Data", endpoints: [{ bEndpointAddress: 0x04, bmAttributes: 2, wMaxPacketSize: 64 }, { bEndpointAddress: 0x83, bmAttributes: 2, wMaxPacketSize: 64 }] },
      ],
    }],
  },
  {
    port: 5, speed: "high", idVendor: 0x0781, idProduct: 0x5581, bcdDevice: 0x0100, "USB Vendor Name": "SanDisk", "USB Product Name": "Ultra",
    "USB Serial Number": "4C530001230101", configurations: [{ bMaxPower: 112, interfaces: [{ bInterfaceNumber: 0, bInterfaceClass: 8, bInterfaceSubClass: 6, bInterfaceProtocol: 0x50, endpoints: [{ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 512 }, { bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 512 }] }] }],
  },
  {
    port: 6, speed: "high", bDeviceClass: 0xef, bDeviceSubClass: 2, bDeviceProtocol: 1, idVendor: 0x05ac, idProduct: 0x8514, bcdDevice: 0x0202,
    "USB Vendor Name": "Apple Inc.", "USB Product Name": "FaceTime HD Camera (Built-in)", "USB Serial Number": "CC2B0000001",
    configurations: [{ bMaxPower: 250, interfaces: [
      { bInterfaceNumber: 0, bInterfaceClass: 14, bInterfaceSubClass: 1, name: "Video Control", endpoints: [{ bEndpointAddress: 0x83, bmAttributes: 3, wMaxPacketSize: 16, bInterval: 6 }] },
      { bInterfaceNumber: 1, bInterfaceClass: 14, bInterfaceSubClass: 2, name: "Video Streaming", endpoints: [{ bEndpointAddress: 0x82, bmAttributes: 2, wMaxPacketSize: 512 }] },
    ] }],
  },
];

/**
 * USB devices `iokit device attach` can plug in by name, as description nodes (the port is set by
 * the caller): the default machine's own devices.
 */
export function usbPreset(kind: string, port: number): OSValue | undefined {
  const byModel: Record<string, number> = { keyboard: 0, trackpad: 1, mouse: 2, "cdc-acm": 3, flash: 4, camera: 5 };
  const i = byModel[kind];
  return i === undefined ? undefined : fromJS({ ...USB_DEVICES[i], port });
}

/** The names `usbPreset` knows. */
export const USB_PRESETS = ["keyboard", "trackpad", "mouse", "cdc-acm", "flash", "camera"] as const;

const pci = (name: string, location: string, vendor: number, device: number, classCode: number, extra: Record<string, unknown> = {}) => ({
  name, location, "vendor-id": vendor, "device-id": device, "class-code": classCode, "subsystem-vendor-id": 0x106b, "subsystem-id": 0x0180, ...extra,
});
const mem = (size: number, kind = "mem32") => ({ kind, size });

/** The default machine's description as a property-list value. */
export function defaultMachine(): OSValue {
  return fromJS({
    model: "VirtualMac1,1", manufacturer: "iokit-ts", "serial-number": "VM1A2B3C4D5E", "board-id": "Mac-VirtualMac1,1",
    pci: [
      pci("MCHC", "0", 0x8086, 0x1604, 0x060000, { "revision-id": 9 }),
      pci("IGPU", "2", 0x8086, 0x1626, 0x030000, { bars: [mem(16777216, "mem64"), mem(268435456, "mem64")], "msi-vectors": 1, IOName: "display", "model-name": "Intel Iris Graphics 6100" }),
      pci("HDAU", "3", 0x8086, 0x160c, 0x040300, { bars: [mem(16384, "mem64")], "msi-vectors": 1 }),
      pci("XHC1", "14", 0x8086, 0x9cb1, 0x0c0330, { bars: [mem(65536, "mem64")], "msi-vectors": 8, "dma-address-bits": 64, model: "xhci", usb: USB_DEVICES }),
      pci("IMEI", "16", 0x8086, 0x9cba, 0x078000, { bars: [mem(32, "mem64")], "msi-vectors": 1 }),
      pci("UART", "1E", 0x8086, 0x9ce3, 0x070002, { bars: [mem(4096)], model: "uart16550", "serial-name": "serial1" }),
      pci("HDEF", "1B", 0x8086, 0x9ca0, 0x040300, { bars: [mem(16384, "mem64")], "msi-vectors": 1, "model-name": "Intel 9 Series HD Audio" }),
      pci("RP01", "1C", 0x8086, 0x9c90, 0x060400, { "msi-vectors": 1 }),
      pci("RP02", "1C,1", 0x8086, 0x9c92, 0x060400, { "msi-vectors": 1 }),
      pci("ANS1", "1C,4", 0x144d, 0xa804, 0x010802, { bars: [mem(16384, "mem64")], "msi-vectors": 4, "dma-address-bits": 64, model: "nvme-ramdisk", "model-name": "Virtual NVMe RAM Disk",
        disks: [{ size: 64 * 1024 * 1024, "block-size": 512, partitions: [
          { name: "EFI System Partition", type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", size: 8 * 1024 * 1024 },
          { name: "Macintosh HD", type: "7C3457EF-0000-11AA-AA11-00306543ECAC", size: 32 * 1024 * 1024 },
          { name: "Recovery", type: "48465300-0000-11AA-AA11-00306543ECAC", size: 8 * 1024 * 1024 },
          { name: "RAID Member", type: "52414944-0000-11AA-AA11-00306543ECAC", size: 8 * 1024 * 1024 },
        ] }] }),
      pci("ETH0", "1C,5", 0x14e4, 0x1686, 0x020000, { bars: [mem(65536, "mem64")], "msi-vectors": 2, model: "ethernet-loopback", "mac-address": Uint8Array.from([0x02, 0x10, 0x18, 0xa5, 0x00, 0x01]), "model-name": "Virtual Loopback Ethernet" }),
      pci("SMPL", "1D", 0x106b, 0x5a5a, 0xff0000, { bars: [mem(4096)], "msi-vectors": 1, "dma-address-bits": 32, model: "sample", "model-name": "AppleSamplePCI test device" }),
      pci("LPCB", "1F", 0x8086, 0x9cc3, 0x060100, { "revision-id": 3 }),
      pci("SBUS", "1F,3", 0x8086, 0x9ca2, 0x0c0500, { bars: [mem(256, "mem64")] }),
      pci("PPMC", "1F,2", 0x8086, 0x9ca6, 0x058000, { bars: [mem(4096)] }),
    ],
  });
}
