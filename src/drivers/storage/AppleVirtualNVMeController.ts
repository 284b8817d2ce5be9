/**
 * The RAM-disk controller driver of the virtual machine (`AppleVirtualNVMeController`, PCI class
 * 0x010802): publishes one `AppleVirtualBlockStorageDevice` per namespace. Reads DMA into buffers
 * allocated below the controller's address mask (from its capability register); a controller that
 * misreports its reach faults the transfer, which the driver logs and reports as an I/O error.
 */
import { IOService, OSMetaClass, joinPowerTree, kIOServiceAsynchronous, kOffOnPowerStates } from "../../kernel/index.ts";
import { NVMeRamDisk, type RamDisk } from "../hardware/index.ts";
import { n } from "../machine/index.ts";
import { IODMAMemoryDescriptor, IODMACommand, IOPCIDevice } from "../pci/index.ts";
import { IOBlockStorageDevice } from "./IOBlockStorageDriver.ts";
import { kIOStorageFamilyBundleID } from "./IOMedia.ts";

export class AppleVirtualBlockStorageDevice extends IOBlockStorageDevice {
  #disk: RamDisk | undefined;
  #ctrl: NVMeRamDisk | undefined;
  #dma: IODMACommand | undefined;
  #faults = 0;

  /** @internal */
  bind(ctrl: NVMeRamDisk, disk: RamDisk, dma: IODMACommand): void {
    this.#ctrl = ctrl;
    this.#disk = disk;
    this.#dma = dma;
    this.setProperties([["device-type", "Generic"], ["Physical Block Size", n(disk.desc.blockSize)], ["Logical Block Size", n(disk.desc.blockSize)]]);
  }
  override get blockSize(): number { return this.#disk?.desc.blockSize ?? 512; }
  override get blockCount(): number { return this.#disk?.blockCount ?? 0; }
  override readBlocks(lba: number, count: number): Uint8Array | undefined {
    const disk = this.#disk;
    if (!disk || lba < 0 || count < 1 || lba + count > disk.blockCount) return undefined;
    return this.#transfer(count * disk.desc.blockSize, (buf) => {
      for (let i = 0; i < count; i++) buf.set(disk.readBlock(lba + i), i * disk.desc.blockSize);
      return buf.slice();
    });
  }
  override writeBlocks(lba: number, data: Uint8Array): boolean {
    const disk = this.#disk, bs = disk?.desc.blockSize ?? 512;
    if (!disk || lba < 0 || data.length === 0 || data.length % bs !== 0 || lba + data.length / bs > disk.blockCount) return false;
    return this.#transfer(data.length, (buf) => {
      buf.set(data);
      for (let i = 0; i < data.length / bs; i++) disk.writeBlock(lba + i, buf.subarray(i * bs, (i + 1) * bs));
      return true;
    }) ?? false;
  }
  /** Runs one transfer through a DMA buffer below the controller's mask; undefined when the controller faults on it. */
  #transfer<T>(length: number, move: (buf: Uint8Array) => T): T | undefined {
    const ctrl = this.#ctrl, dma = this.#dma;
    if (!ctrl || !dma) return undefined;
    const buf = IODMAMemoryDescriptor.inTaskWithPhysicalMask(dma.addressMask, length);
    try {
      const segs = dma.prepare(buf);
      if (segs.some((s) => !ctrl.reaches(s.address, s.length))) {
        if (this.#faults++ === 0) this.IOLog(`AppleVirtualNVMeController: DMA fault at 0x${segs[0]?.address.toString(16)}: controller cannot reach it; failing I/O`);
        return undefined;
      }
      return move(buf.bytes);
    } finally {
      buf.release();
    }
  }
}
OSMetaClass.define(AppleVirtualBlockStorageDevice, "AppleVirtualBlockStorageDevice", { kmodName: kIOStorageFamilyBundleID });

export class AppleVirtualNVMeController extends IOService {
  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOPCIDevice) || !(provider.hardware instanceof NVMeRamDisk)) return false;
    const ctrl = provider.hardware;
    provider.setMemoryEnable(true);
    provider.setBusMasterEnable(true);
    const dma = IODMACommand.withSpecification(ctrl.reportedAddressBits);
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    this.resources.defer(() => this.PMstop());
    ctrl.disks.forEach((disk, i) => {
      const nub = new AppleVirtualBlockStorageDevice(this.registry);
      nub.init();
      nub.setName(`AppleVirtualBlockStorageDevice`);
      nub.setLocation(String(i + 1));
      nub.bind(ctrl, disk, dma);
      nub.attach(this);
      nub.registerService(kIOServiceAsynchronous);
      nub.release();
    });
    return true;
  }
}
OSMetaClass.define(AppleVirtualNVMeController, "AppleVirtualNVMeController", { kmodName: kIOStorageFamilyBundleID });
