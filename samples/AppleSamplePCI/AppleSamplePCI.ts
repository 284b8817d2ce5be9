/**
 * AppleSamplePCI, after Apple's sample of the same name: a PCI driver for the virtual machine's
 * test device (vendor 0x106b, device 0x5a5a). It shows the whole life of a PCI driver:
 *
 * - personality: `IOPCIMatch` = `0x5a5a106b` on `IOPCIDevice` (see Info.plist);
 * - start: enable memory space and bus mastering, map BAR0, check the ID register;
 * - work loop: a private `IOWorkLoop` with an `IOFilterInterruptEventSource` on the MSI vector (the
 *   filter runs at primary-interrupt time and claims only interrupts whose status bit is set) and an
 *   `IOTimerEventSource` watchdog;
 * - DMA: an `IODMAMemoryDescriptor` (IOBufferMemoryDescriptor) below the device's 32-bit mask and an `IODMACommand`;
 *   the completion address the device reports is checked against that mask before it is trusted;
 * - power: two power states; `setPowerState(0)` masks the device, `setPowerState(1)` restores it;
 * - user client: {@link AppleSamplePCIUserClient} (config space, registers, info, the DMA buffer mapped);
 * - stop: everything start acquired is released through `resources`, in reverse order.
 *
 * Misbehaving hardware (machine-description faults): a stuck interrupt is detected after 32
 * interrupts that leave the status bit set, masked, logged once; a completion above the DMA mask
 * is logged and ignored. The system keeps running either way.
 */
import type { IOService as IOServiceType, IOFilterInterruptEventSource as FilterSource } from "../../src/kernel/index.ts";
import {
  IOFilterInterruptEventSource, IOService, IOTimerEventSource, IOWorkLoop, findMessagedInterruptIndex, kIOPMPowerOn, kIOPMDeviceUsable,
} from "../../src/kernel/index.ts";
import { IODMAMemoryDescriptor, IODMACommand, IOPCIDevice, type IOMemoryMap } from "../../src/drivers/index.ts";
import { num } from "../../src/libkern/index.ts";

export { AppleSamplePCIUserClient } from "./AppleSamplePCIUserClient.ts";

const REG_ID = 0x00, REG_COMMAND = 0x08, REG_STATUS = 0x0c, REG_DMA_LO = 0x10, REG_DMA_HI = 0x14, REG_DMA_LEN = 0x18, REG_DONE_LO = 0x1c, REG_DONE_HI = 0x20;
const SAMPLE_ID = 0x534d504c;
const STUCK_LIMIT = 32;
const POWER_STATES = [
  { version: 1, capabilityFlags: 0, outputPowerCharacter: 0, inputPowerRequirement: 0 },
  { version: 1, capabilityFlags: kIOPMDeviceUsable | kIOPMPowerOn, outputPowerCharacter: kIOPMPowerOn, inputPowerRequirement: kIOPMPowerOn },
];

export class AppleSamplePCI extends IOService {
  #regs: IOMemoryMap | undefined;
  #source: FilterSource | undefined;
  #dma: IODMACommand | undefined;
  #buffer: IODMAMemoryDescriptor | undefined;
  #interrupts = 0;
  #stuck = 0;
  #device: IOPCIDevice | undefined;

  /** For the user client: the nub, BAR0, the interrupt count and the DMA buffer. */
  get pciDevice(): IOPCIDevice | undefined { return this.#device; }
  get registers(): IOMemoryMap | undefined { return this.#regs; }
  get interruptCount(): number { return this.#interrupts; }
  get dmaBuffer(): IODMAMemoryDescriptor | undefined { return this.#buffer; }

  override start(provider: IOServiceType): boolean {
    if (!super.start(provider)) return false;
    if (!(provider instanceof IOPCIDevice)) return false;
    provider.setMemoryEnable(true);
    provider.setBusMasterEnable(true);
    const regs = provider.mapDeviceMemoryWithIndex(0);
    if (regs === undefined || regs.read32(REG_ID) !== SAMPLE_ID) {
      this.IOLog(`AppleSamplePCI: ${provider.getName()}: BAR0 does not look like the sample device`);
      return false;
    }
    this.#regs = regs;
    this.#device = provider;
    // A private work loop: interrupt and timer actions run here, serialised.
    const loop = IOWorkLoop.workLoop(this.getWorkLoop().scheduler, "AppleSamplePCI");
    const source = IOFilterInterruptEventSource.filterInterruptEventSource(
      this, () => this.#interruptOccurred(), () => this.#filter(), provider, findMessagedInterruptIndex(provider) ?? 0,
    );
    if (source === null) return false;
    this.#source = source;
    const watchdog = IOTimerEventSource.timerEventSource(this, () => {
      this.setProperty("Interrupts", num(this.#interrupts, 32));
      watchdog.setTimeoutMS(1000);
    });
    loop.addEventSource(source);
    loop.addEventSource(watchdog);
    source.enable();
    watchdog.setTimeoutMS(1000);
    this.resources.defer(() => {
      watchdog.cancelTimeout();
      loop.removeEventSource(watchdog);
      loop.removeEventSource(source);
      provider.setBusMasterEnable(false);
      loop.release();
    });
    // DMA: this device drives 32 address bits.
    this.#dma = IODMACommand.withSpecification(32);
    const buffer = IODMAMemoryDescriptor.inTaskWithPhysicalMask(this.#dma.addressMask, 4096);
    this.#buffer = buffer;
    this.resources.defer(() => buffer.release());
    const [segment] = this.#dma.prepare(this.#buffer);
    if (segment === undefined) return false;
    regs.write32(REG_DMA_LO, Number(segment.address & 0xffffffffn));
    regs.write32(REG_DMA_HI, Number(segment.address >> 32n));
    regs.write32(REG_DMA_LEN, 64);
    regs.write32(REG_COMMAND, 2); // DMA then interrupt
    // Power: two states, joined under the provider.
    this.PMinit();
    provider.joinPMtree(this);
    this.registerPowerDriver(this, POWER_STATES);
    this.changePowerStateTo(1);
    this.resources.defer(() => this.PMstop());
    this.registerService();
    this.IOLog(`AppleSamplePCI: started on ${provider.getName()}, BAR0 at 0x${regs.physicalAddress.toString(16)}`);
    return true;
  }

  /** Primary interrupt time: claim the interrupt only if our status bit is set. */
  #filter(): boolean {
    return ((this.#regs?.read32(REG_STATUS) ?? 0) & 1) !== 0;
  }

  /** Secondary (work-loop) time. */
  #interruptOccurred(): void {
    const regs = this.#regs;
    if (regs === undefined) return;
    this.#interrupts++;
    const status = regs.read32(REG_STATUS);
    if (status & 2) this.#checkCompletion(regs);
    regs.write32(REG_STATUS, status);
    if ((regs.read32(REG_STATUS) & 1) === 0) { this.#stuck = 0; return; }
    if (++this.#stuck === STUCK_LIMIT) {
      this.#source?.disable();
      this.IOLog(`AppleSamplePCI: interrupt stuck asserted after ${STUCK_LIMIT} acknowledgements; masking it`);
      this.setProperty("InterruptStuck", true);
    }
  }

  #checkCompletion(regs: IOMemoryMap): void {
    const done = (BigInt(regs.read32(REG_DONE_HI)) << 32n) | BigInt(regs.read32(REG_DONE_LO));
    if (!this.#dma?.reaches(done, 64)) {
      this.IOLog(`AppleSamplePCI: device reported DMA completion at 0x${done.toString(16)}, above its 32-bit mask; ignoring it`);
      this.setProperty("DMAErrors", num(1, 32));
      return;
    }
    this.setProperty("DMACompletions", num(1, 32));
  }

  override setPowerState(state: number, _device: IOServiceType): number {
    this.#regs?.write32(REG_COMMAND, 0);
    if (state === 0) this.#source?.disable(); else this.#source?.enable();
    return 0; // kIOPMAckImplied
  }
}
