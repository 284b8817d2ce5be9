/**
 * IOPCIFamily's nub: `IOPCIDevice`, one PCI function as drivers see it — configuration space
 * (`configRead32`…), memory-mapped BARs (`mapDeviceMemoryWithIndex` → {@link IOMemoryMap}), the
 * interrupt lines (index 0 INTx, level; then one `kIOInterruptTypePCIMessaged` line per MSI vector;
 * registering an MSI line turns MSI on in the capability, as IOPCIFamily does), bus mastering and
 * the function's DMA address limit for {@link IODMACommand}.
 *
 * Properties follow IOPCIFamily's: the ID registers as 4-byte little-endian data (`vendor-id`,
 * `device-id`, `class-code`, …), `reg`, `assigned-addresses`, `compatible`, `IOName`,
 * `pcidebug` (`bus:device:function`), `IOPCIResourced`, `IOPCIMSIMode`, `built-in`.
 */
import { IOReturnError, kIOReturnNoDevice, kIOReturnNotReady, type IOReturn } from "../../base/index.ts";
import { IOService, OSMetaClass, joinPowerTree, kIOInterruptTypeLevel, kIOInterruptTypePCIMessaged, kOffLowOnPowerStates } from "../../kernel/index.ts";
import { kPCICapMSI, kPCICommandBusMaster, kPCICommandMemorySpace, type PCIFunctionModel } from "../hardware/index.ts";
import { dtString, hex, le32 } from "../machine/index.ts";

export const kIOPCIFamilyBundleID = "com.apple.iokit.IOPCIFamily";

/** A mapping of one BAR: little-endian register access, as `OSReadLittleInt32(map->getVirtualAddress(), off)`. */
export class IOMemoryMap {
  readonly #fn: PCIFunctionModel;
  readonly #bar: number;
  readonly length: number;
  readonly physicalAddress: bigint;
  constructor(fn: PCIFunctionModel, bar: number) {
    this.#fn = fn;
    this.#bar = bar;
    this.length = fn.desc.bars[bar]?.size ?? 0;
    this.physicalAddress = fn.barAddresses[bar] ?? 0n;
  }
  #check(offset: number, width: number): boolean {
    if (offset < 0 || offset + width > this.length) throw new IOReturnError(kIOReturnNoDevice, `BAR${this.#bar} access at 0x${offset.toString(16)} outside its ${this.length} bytes`);
    return this.#fn.decoding;
  }
  read8(offset: number): number { return this.#check(offset, 1) ? this.#fn.mmioRead(this.#bar, offset, 1) : 0xff; }
  read16(offset: number): number { return this.#check(offset, 2) ? this.#fn.mmioRead(this.#bar, offset, 2) : 0xffff; }
  read32(offset: number): number { return this.#check(offset, 4) ? this.#fn.mmioRead(this.#bar, offset, 4) >>> 0 : 0xffffffff; }
  write8(offset: number, v: number): void { if (this.#check(offset, 1)) this.#fn.mmioWrite(this.#bar, offset, 1, v); }
  write16(offset: number, v: number): void { if (this.#check(offset, 2)) this.#fn.mmioWrite(this.#bar, offset, 2, v); }
  write32(offset: number, v: number): void { if (this.#check(offset, 4)) this.#fn.mmioWrite(this.#bar, offset, 4, v >>> 0); }
}

export class IOPCIDevice extends IOService {
  #fn: PCIFunctionModel | undefined;

  /** @internal The bridge binds the function and publishes the properties. */
  bindFunction(fn: PCIFunctionModel, bus: number): void {
    this.#fn = fn;
    const d = fn.desc;
    const ioName = d.ioName ?? `pci${hex(d.vendorID, 0)},${hex(d.deviceID, 0)}`;
    this.setName(d.name);
    this.setLocation(d.function === 0 ? d.device.toString(16).toUpperCase() : `${d.device.toString(16).toUpperCase()},${d.function}`);
    const reg = new Uint8Array(20);
    new DataView(reg.buffer).setUint32(0, (bus << 16) | (d.device << 11) | (d.function << 8), true);
    const assigned = new Uint8Array(20 * d.bars.length);
    d.bars.forEach((b, i) => {
      const v = new DataView(assigned.buffer, 20 * i);
      v.setUint32(0, 0x82000000 | (bus << 16) | (d.device << 11) | (d.function << 8) | (0x10 + 4 * i), true);
      const a = fn.barAddresses[i] ?? 0n;
      v.setUint32(4, Number(a >> 32n), true);
      v.setUint32(8, Number(a & 0xffffffffn), true);
      v.setUint32(16, b.size, true);
    });
    const compatible = [`pci${hex(d.subsystemVendorID, 0)},${hex(d.subsystemID, 0)}`, `pci${hex(d.vendorID, 0)},${hex(d.deviceID, 0)}`, `pciclass,${hex(d.classCode, 6)}`];
    this.setProperties([
      ["IOName", ioName], ["name", dtString(ioName)], ["compatible", new TextEncoder().encode(`${compatible.join("\0")}\0`)],
      ["vendor-id", le32(d.vendorID)], ["device-id", le32(d.deviceID)], ["revision-id", le32(d.revisionID)],
      ["class-code", le32(d.classCode)], ["subsystem-vendor-id", le32(d.subsystemVendorID)], ["subsystem-id", le32(d.subsystemID)],
      ["reg", reg], ["assigned-addresses", assigned], ["built-in", new Uint8Array([0])], ["IOPCIResourced", true],
      ["pcidebug", `${bus}:${d.device}:${d.function}`],
    ]);
    if (d.deviceModel !== undefined) this.setProperty("model", dtString(d.deviceModel));
    if (d.msiVectors > 0) this.setProperty("IOPCIMSIMode", true);
    this.interruptLines.add(kIOInterruptTypeLevel);
    for (let i = 0; i < d.msiVectors; i++) this.interruptLines.add(kIOInterruptTypePCIMessaged);
    fn.connect((line) => this.causeInterrupt(line));
  }

  /**
   * Attaching to the bridge also joins the power tree, as IOPCIDevice::attach does: three states
   * (off, low power with the configuration retained, on), asked to be usable, so a function stays on
   * while the system is awake whether or not a driver matched it; its driver is its power child.
   */
  override attach(provider: IOService): boolean {
    if (!super.attach(provider)) return false;
    joinPowerTree(this, provider, kOffLowOnPowerStates, "usable");
    return true;
  }

  /** Leaving the bridge leaves the power tree first (`PMstop`). */
  override detach(provider: IOService): void {
    this.PMstop();
    super.detach(provider);
  }

  /** @internal The bridge unplugs the function. */
  unbindFunction(): void {
    this.#fn?.connect(undefined);
  }

  /** The virtual function behind this nub (for the machine's own hardware drivers). */
  get hardware(): PCIFunctionModel {
    if (this.#fn === undefined) throw new IOReturnError(kIOReturnNotReady, `${this.getName()}: no PCI function bound`);
    return this.#fn;
  }

  configRead32(offset: number): number { return this.hardware.configRead(offset, 4) >>> 0; }
  configRead16(offset: number): number { return this.hardware.configRead(offset, 2); }
  configRead8(offset: number): number { return this.hardware.configRead(offset, 1); }
  configWrite32(offset: number, v: number): void { this.hardware.configWrite(offset, 4, v); }
  configWrite16(offset: number, v: number): void { this.hardware.configWrite(offset, 2, v); }
  configWrite8(offset: number, v: number): void { this.hardware.configWrite(offset, 1, v); }

  #setCommandBit(bit: number, on: boolean): boolean {
    const cmd = this.configRead16(0x04);
    this.configWrite16(0x04, on ? cmd | bit : cmd & ~bit);
    return (cmd & bit) !== 0;
  }
  /** Returns the previous state, as IOPCIDevice::setMemoryEnable does. */
  setMemoryEnable(on: boolean): boolean { return this.#setCommandBit(kPCICommandMemorySpace, on); }
  setBusMasterEnable(on: boolean): boolean { return this.#setCommandBit(kPCICommandBusMaster, on); }

  /** Offset of capability `id` in the capability list, or 0 (`findPCICapability`). */
  findPCICapability(id: number): number {
    if ((this.configRead16(0x06) & 0x10) === 0) return 0;
    let off = this.configRead8(0x34);
    for (let hops = 0; off !== 0 && hops < 48; hops++) {
      if (this.configRead8(off) === id) return off;
      off = this.configRead8(off + 1);
    }
    return 0;
  }

  getDeviceMemoryCount(): number { return this.hardware.desc.bars.length; }

  /** Maps BAR `index` (`mapDeviceMemoryWithIndex`); undefined when there is no such BAR. */
  mapDeviceMemoryWithIndex(index: number): IOMemoryMap | undefined {
    return index >= 0 && index < this.getDeviceMemoryCount() ? new IOMemoryMap(this.hardware, index) : undefined;
  }

  /** The function's DMA reach in address bits (from the machine description). */
  get dmaAddressBits(): number { return this.hardware.desc.dmaAddressBits; }

  override registerInterrupt(index: number, handler: () => void): void {
    super.registerInterrupt(index, handler);
    if (this.getInterruptType(index) === kIOInterruptTypePCIMessaged) {
      const cap = this.findPCICapability(kPCICapMSI);
      if (cap !== 0) this.configWrite16(cap + 2, this.configRead16(cap + 2) | 1);
    }
  }

  /** Saves nothing (virtual hardware keeps its state); present for drivers written against it. */
  saveDeviceState(): IOReturn { return 0; }
}
OSMetaClass.define(IOPCIDevice, "IOPCIDevice", { kmodName: kIOPCIFamilyBundleID });
