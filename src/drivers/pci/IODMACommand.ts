/**
 * DMA with address limits: `IODMAMemoryDescriptor` (an IOBufferMemoryDescriptor with a physical
 * address, allocated below a physical mask) and `IODMACommand` (a driver's DMA specification: how many address bits
 * its device drives). `prepare` refuses a buffer that ends above the device's reach with
 * kIOReturnNotPermitted and the same message a careful driver logs, instead of letting the device
 * write to memory it cannot address.
 *
 * Divergence from XNU: IODMACommand bounces such buffers through low memory; here there is no
 * physical memory to bounce through, so the mapping fails and the driver must allocate with
 * `inTaskWithPhysicalMask` (which is what Apple's DMA guidance asks for anyway).
 */
import { IOReturnError, kIOReturnNoMemory, kIOReturnNotPermitted } from "../../base/index.ts";
import { IOBufferMemoryDescriptor } from "../../kernel/index.ts";

/** One physically contiguous segment. */
export interface IODMASegment { readonly address: bigint; readonly length: number }

let nextPhysical = 0x1_0000_0000n; // buffers without a mask land above 4 GiB, as on a big machine
let nextLow = 0x0010_0000n;

/**
 * An `IOBufferMemoryDescriptor` with a physical address, as `inTaskWithPhysicalMask` makes them:
 * what a bus master is programmed with. An OSObject: release it when done.
 */
export class IODMAMemoryDescriptor extends IOBufferMemoryDescriptor {
  readonly physicalAddress: bigint;
  private constructor(length: number, address: bigint) {
    super(new Uint8Array(length));
    this.physicalAddress = address;
  }
  /** A buffer whose physical pages lie at or below `mask` (`IOBufferMemoryDescriptor::inTaskWithPhysicalMask`). */
  static inTaskWithPhysicalMask(mask: bigint, length: number): IODMAMemoryDescriptor {
    const pages = BigInt(Math.ceil(length / 4096) * 4096);
    // Memory above 4 GiB is plentiful on a big machine: a mask that allows it gets it.
    const low = mask <= 0xffff_ffffn;
    const base = low ? nextLow : nextPhysical;
    if (base + pages - 1n > mask) throw new IOReturnError(kIOReturnNoMemory, `no physical memory below 0x${mask.toString(16)}`);
    if (low) nextLow += pages; else nextPhysical += pages;
    return new IODMAMemoryDescriptor(length, base);
  }
  /** A buffer anywhere in physical memory. */
  static override withCapacity(length: number): IODMAMemoryDescriptor {
    const d = new IODMAMemoryDescriptor(length, nextPhysical);
    nextPhysical += BigInt(Math.ceil(length / 4096) * 4096);
    return d;
  }
}

export class IODMACommand {
  readonly numAddressBits: number;
  readonly maxSegmentSize: number;
  constructor(numAddressBits: number, maxSegmentSize = 0) {
    this.numAddressBits = numAddressBits;
    this.maxSegmentSize = maxSegmentSize;
  }
  /** `IODMACommand::withSpecification(OutputHost64, numAddressBits, maxSegmentSize)`. */
  static withSpecification(numAddressBits: number, maxSegmentSize = 0): IODMACommand {
    return new IODMACommand(numAddressBits, maxSegmentSize);
  }
  get addressMask(): bigint {
    return this.numAddressBits >= 64 ? 0xffff_ffff_ffff_ffffn : (1n << BigInt(this.numAddressBits)) - 1n;
  }
  /** Whether `[address, address+length)` lies within the device's reach. */
  reaches(address: bigint, length: number): boolean {
    return address + BigInt(Math.max(length, 1)) - 1n <= this.addressMask;
  }
  /** The buffer's segments for the device (`prepare` + `gen64IOVMSegments`). */
  prepare(buffer: IODMAMemoryDescriptor): IODMASegment[] {
    if (!this.reaches(buffer.physicalAddress, buffer.getLength())) {
      throw new IOReturnError(kIOReturnNotPermitted, `DMA buffer at 0x${buffer.physicalAddress.toString(16)} is above the device's ${this.numAddressBits}-bit mask`);
    }
    const seg = this.maxSegmentSize > 0 ? this.maxSegmentSize : buffer.getLength();
    const out: IODMASegment[] = [];
    for (let off = 0; off < buffer.getLength(); off += seg) out.push({ address: buffer.physicalAddress + BigInt(off), length: Math.min(seg, buffer.getLength() - off) });
    return out;
  }
}
