/**
 * The 16550 UART driver of the virtual machine: `Apple16X50PCI` matches PCI serial controllers
 * (class 0x0700), maps BAR0, programs 115200 8N1 and publishes an `Apple16X50UARTSync` stream
 * (an {@link IOSerialStreamSync}) that IOSerialBSDClient turns into `/dev/cu.<serial-name>`.
 * Received bytes arrive by interrupt on the driver's work loop.
 *
 * Careful-driver behaviour: an interrupt that finds no work in the UART (IIR says pending but LSR
 * has no data) counts as spurious; after 64 in a row the driver masks the UART's interrupts,
 * logs once, and falls back to polling on a 10 ms timer — the system keeps running.
 */
import { IOInterruptEventSource, IOService, IOTimerEventSource, IOWorkLoop, OSMetaClass, findMessagedInterruptIndex, joinPowerTree, kIOServiceAsynchronous, kOffOnPowerStates } from "../../kernel/index.ts";
import { IER_RDA, LSR_DR, UART_IER, UART_IIR, UART_LCR, UART_LSR, UART_MCR, UART_RBR, Uart16550 } from "../hardware/index.ts";
import { IOPCIDevice, type IOMemoryMap } from "../pci/index.ts";
import { IOSerialStreamSync, kIOSerialFamilyBundleID } from "./IOSerialStreamSync.ts";

const SPURIOUS_LIMIT = 64;

export class Apple16X50UARTSync extends IOSerialStreamSync {
  #regs: IOMemoryMap | undefined;
  /** @internal */
  bindRegisters(regs: IOMemoryMap): void { this.#regs = regs; }
  override enqueueData(bytes: Uint8Array): number {
    const r = this.#regs;
    if (r === undefined) return 0;
    for (const b of bytes) r.write8(UART_RBR, b);
    return bytes.length;
  }
  /** @internal The driver drains the receiver. */
  drain(): number {
    const r = this.#regs;
    if (r === undefined) return 0;
    const got: number[] = [];
    while ((r.read8(UART_LSR) & LSR_DR) !== 0 && got.length < 4096) got.push(r.read8(UART_RBR));
    if (got.length > 0) this.received(got);
    return got.length;
  }
}
OSMetaClass.define(Apple16X50UARTSync, "Apple16X50UARTSync", { kmodName: kIOSerialFamilyBundleID });

export class Apple16X50PCI extends IOService {
  #spurious = 0;
  #polling = false;

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOPCIDevice) || !(provider.hardware instanceof Uart16550)) return false;
    provider.setMemoryEnable(true);
    const regs = provider.mapDeviceMemoryWithIndex(0);
    if (regs === undefined) return false;
    regs.write8(UART_LCR, 0x80); regs.write8(UART_RBR, 1); regs.write8(UART_IER, 0); // divisor 1: 115200
    regs.write8(UART_LCR, 0x03); regs.write8(UART_MCR, 0x0b); regs.write8(UART_IIR, 0x07);
    const port = new Apple16X50UARTSync(this.registry);
    port.init();
    port.bindRegisters(regs);
    port.setName("Apple16X50UARTSync");
    port.setProperties([["IOTTYBaseName", provider.hardware.desc.serialName ?? "serial"], ["IOTTYSuffix", ""]]);
    const loop = IOWorkLoop.workLoop(this.getWorkLoop().scheduler, "Apple16X50PCI");
    const timer = IOTimerEventSource.timerEventSource(this, () => {
      port.drain();
      timer.setTimeoutMS(10);
    });
    const src = IOInterruptEventSource.interruptEventSource(this, () => {
      if (port.drain() > 0 || (regs.read8(UART_IIR) & 1) !== 0) { this.#spurious = 0; return; }
      if (++this.#spurious >= SPURIOUS_LIMIT && !this.#polling) {
        this.#polling = true;
        regs.write8(UART_IER, 0);
        src?.disable();
        this.IOLog(`Apple16X50PCI: ${provider.getName()}: ${SPURIOUS_LIMIT} interrupts without data; interrupt masked, polling every 10 ms`);
        this.setProperty("InterruptStuck", true);
        timer.setTimeoutMS(10);
      }
    }, provider, findMessagedInterruptIndex(provider) ?? 0);
    if (src === null) return false;
    loop.addEventSource(src);
    loop.addEventSource(timer);
    src.enable();
    this.resources.defer(() => {
      regs.write8(UART_IER, 0);
      timer.cancelTimeout();
      loop.removeEventSource(timer);
      loop.removeEventSource(src);
      loop.release();
    });
    regs.write8(UART_IER, IER_RDA);
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    this.resources.defer(() => this.PMstop());
    port.attach(this);
    port.registerService(kIOServiceAsynchronous);
    port.release();
    return true;
  }
}
OSMetaClass.define(Apple16X50PCI, "Apple16X50PCI", { kmodName: kIOSerialFamilyBundleID });
