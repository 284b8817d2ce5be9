/**
 * The test device AppleSamplePCI drives (BAR0, 32-bit registers): 0x00 ID `'SMPL'`, 0x04 scratch,
 * 0x08 command (1: raise an interrupt; 2: DMA a 0xA5 pattern of 0x18 bytes to 0x10/0x14, then
 * interrupt), 0x0C status (bit 0 interrupt pending, write 1 to clear; bit 1 DMA done), 0x1C/0x20
 * the address the device reports it wrote to (completion), 0x24 the device's DMA address bits.
 *
 * Faults: `stuck-interrupt` — the pending bit never clears and every status read re-asserts;
 * `dma-above-mask` — the completion reports an address above the device's reach.
 */
import type { PCIDeviceDescription } from "../machine/index.ts";
import { PCIFunctionModel } from "./PCIFunctionModel.ts";

export const SAMPLE_ID = 0x534d504c;

export class SamplePCIDevice extends PCIFunctionModel {
  #scratch = 0; #status = 0; #dmaLo = 0; #dmaHi = 0; #dmaLen = 0;
  #completion = 0n;
  /** Physical memory the device wrote (address → bytes), for tests. */
  readonly written = new Map<bigint, Uint8Array>();
  constructor(desc: PCIDeviceDescription) {
    super(desc);
  }
  override mmioRead(bar: number, offset: number, width: 1 | 2 | 4): number {
    if (bar !== 0) return super.mmioRead(bar, offset, width);
    switch (offset) {
      case 0x00: return SAMPLE_ID;
      case 0x04: return this.#scratch;
      case 0x0c:
        if (this.desc.faults.has("stuck-interrupt") && (this.#status & 1)) this.raise(0);
        return this.#status;
      case 0x1c: return Number(this.#completion & 0xffffffffn);
      case 0x20: return Number(this.#completion >> 32n);
      case 0x24: return this.desc.dmaAddressBits;
      default: return 0;
    }
  }
  override mmioWrite(bar: number, offset: number, _width: 1 | 2 | 4, value: number): void {
    if (bar !== 0) return;
    switch (offset) {
      case 0x04: this.#scratch = value; return;
      case 0x08:
        if (value === 2) {
          const addr = (BigInt(this.#dmaHi) << 32n) | BigInt(this.#dmaLo);
          this.written.set(addr, new Uint8Array(this.#dmaLen).fill(0xa5));
          this.#completion = this.desc.faults.has("dma-above-mask") ? addr | (1n << 40n) : addr;
          this.#status |= 2;
        }
        if (value === 1 || value === 2) { this.#status |= 1; this.raise(0); }
        return;
      case 0x0c: if (!this.desc.faults.has("stuck-interrupt")) this.#status &= ~value; return;
      case 0x10: this.#dmaLo = value >>> 0; return;
      case 0x14: this.#dmaHi = value >>> 0; return;
      case 0x18: this.#dmaLen = Math.min(value >>> 0, 65536); return;
    }
  }
}
