/**
 * A loopback Ethernet NIC: every frame the driver transmits comes back on the receive queue and
 * raises the receive interrupt (vector 0, or MSI vector 0). The MAC address sits in BAR0 at 0x00
 * (6 bytes) and the link is always up at 1 Gb/s (register 0x08: bit 0 link, bits 8–15 speed code).
 */
import type { PCIDeviceDescription } from "../machine/index.ts";
import { PCIFunctionModel } from "./PCIFunctionModel.ts";

export class LoopbackNIC extends PCIFunctionModel {
  readonly rxQueue: Uint8Array[] = [];
  transmittedFrames = 0;
  constructor(desc: PCIDeviceDescription) {
    super(desc);
  }
  get macAddress(): Uint8Array {
    return this.desc.macAddress ?? new Uint8Array(6);
  }
  override mmioRead(bar: number, offset: number, width: 1 | 2 | 4): number {
    if (bar !== 0) return super.mmioRead(bar, offset, width);
    if (offset < 6) return this.macAddress[offset] ?? 0;
    if (offset === 8) return 0x0301; // link up, 1000BASE-T
    if (offset === 12) return this.rxQueue.length;
    return 0;
  }
  /** The driver hands a frame to the wire. */
  transmit(frame: Uint8Array): void {
    this.transmittedFrames++;
    if (this.rxQueue.length < 256) this.rxQueue.push(frame.slice());
    this.raise(0);
  }
}
