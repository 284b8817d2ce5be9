/**
 * Virtual PCI hardware: one PCI function's configuration space (type-0 header, BARs, an MSI
 * capability) and its memory-mapped registers. Device models (UART, xHCI, NVMe RAM disk, loopback
 * NIC) extend it and answer register reads and writes as the hardware would; the PCI family reaches
 * them only through config cycles, BAR accesses and the interrupt wire it connects.
 *
 * State: `config` (256 bytes, little-endian), BAR base addresses assigned by `assignResources`,
 * `raise(vector)` delivering to whatever the family connected (nothing until a driver enables the
 * line). Invariant: config writes to read-only fields are ignored, as real hardware does.
 */
import type { PCIDeviceDescription } from "../machine/index.ts";

export const kPCICommandMemorySpace = 0x2;
export const kPCICommandBusMaster = 0x4;
export const kPCICapMSI = 0x05;
const MSI_CAP = 0x50;

/** An interrupt sink the family installs: vector 0 is INTx, 1… are MSI vectors. */
export type InterruptWire = (vector: number) => void;

export class PCIFunctionModel {
  readonly desc: PCIDeviceDescription;
  readonly config = new Uint8Array(256);
  readonly barAddresses: bigint[] = [];
  #wire: InterruptWire | undefined;
  /** Interrupts raised while nobody listened (a stuck line shows here). */
  droppedInterrupts = 0;

  constructor(desc: PCIDeviceDescription) {
    this.desc = desc;
    const v = new DataView(this.config.buffer);
    v.setUint16(0x00, desc.vendorID, true);
    v.setUint16(0x02, desc.deviceID, true);
    v.setUint32(0x08, ((desc.classCode << 8) | desc.revisionID) >>> 0, true);
    v.setUint16(0x2c, desc.subsystemVendorID, true);
    v.setUint16(0x2e, desc.subsystemID, true);
    v.setUint8(0x3d, 1); // INTA#
    if (desc.msiVectors > 0) {
      v.setUint16(0x06, 0x0010, true); // status: capabilities list
      v.setUint8(0x34, MSI_CAP);
      v.setUint8(MSI_CAP, kPCICapMSI);
      v.setUint16(MSI_CAP + 2, (Math.ceil(Math.log2(desc.msiVectors)) << 1) | 0x80, true); // multiple-message capable, 64-bit
    }
  }

  /** Assigns BAR addresses from `next` (a bump allocator the bridge owns); returns the next free address. */
  assignResources(next: bigint): bigint {
    const v = new DataView(this.config.buffer);
    let addr = next;
    this.desc.bars.forEach((bar, i) => {
      const size = BigInt(bar.size);
      addr = (addr + size - 1n) / size * size;
      this.barAddresses[i] = addr;
      v.setUint32(0x10 + 4 * i, Number(addr & 0xfffffff0n) | (bar.kind === "io" ? 1 : bar.kind === "mem64" ? 4 : 0), true);
      addr += size;
    });
    return addr;
  }

  configRead(offset: number, width: 1 | 2 | 4): number {
    if (offset < 0 || offset + width > 256) return width === 4 ? 0xffffffff : (1 << (8 * width)) - 1;
    const v = new DataView(this.config.buffer);
    return width === 1 ? v.getUint8(offset) : width === 2 ? v.getUint16(offset, true) : v.getUint32(offset, true);
  }

  configWrite(offset: number, width: 1 | 2 | 4, value: number): void {
    const v = new DataView(this.config.buffer);
    // Writable: command (0x04), the interrupt line (0x3c), the MSI control/address/data words.
    const writable = (o: number): boolean => (o >= 0x04 && o < 0x06) || o === 0x3c || (o >= MSI_CAP + 2 && o < MSI_CAP + 14);
    for (let i = 0; i < width; i++) if (writable(offset + i)) v.setUint8(offset + i, (value >>> (8 * i)) & 0xff);
  }

  get command(): number {
    return this.configRead(0x04, 2);
  }

  /** Whether MSI is enabled in the capability's control word. */
  get msiEnabled(): boolean {
    return this.desc.msiVectors > 0 && (this.configRead(MSI_CAP + 2, 2) & 1) !== 0;
  }

  connect(wire: InterruptWire | undefined): void {
    this.#wire = wire;
  }

  #delivering = false;
  #again = false;

  /**
   * The device asserts an interrupt (MSI vector `vector` when enabled, else INTx). An assertion
   * while one is being delivered (a register read in the handler re-asserting) is coalesced into
   * one more delivery after the handler returns, as an interrupt controller would: never re-entered.
   */
  raise(vector = 0): void {
    const wire = this.#wire;
    if (wire === undefined) {
      this.droppedInterrupts++;
      return;
    }
    if (this.#delivering) {
      this.#again = true;
      return;
    }
    this.#delivering = true;
    try {
      wire(this.msiEnabled ? 1 + vector : 0);
      if (this.#again) {
        this.#again = false;
        wire(this.msiEnabled ? 1 + vector : 0);
      }
    } finally {
      this.#delivering = false;
      this.#again = false;
    }
  }

  /** A memory read of `width` bytes at `offset` inside BAR `bar`; unclaimed reads float high. */
  mmioRead(_bar: number, _offset: number, width: 1 | 2 | 4): number {
    return width === 4 ? 0xffffffff : (1 << (8 * width)) - 1;
  }

  mmioWrite(_bar: number, _offset: number, _width: 1 | 2 | 4, _value: number): void {}

  /** Whether the driver may reach the registers: memory space decoding on. */
  get decoding(): boolean {
    return (this.command & kPCICommandMemorySpace) !== 0;
  }
}
