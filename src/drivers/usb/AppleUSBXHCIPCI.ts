/**
 * The xHCI host controller driver of the virtual machine (`AppleUSBXHCIPCI`, matching xHCI's PCI
 * class 0x0C0330): enables the function, takes its interrupt (MSI when offered) on its own work
 * loop, and enumerates each root-hub port with a device into an {@link IOUSBHostDevice} nub
 * (`locationID` = PCI device number << 24 | port << 20). A port-change interrupt plugs or
 * terminates nubs — USB hot plug. `AppleUSBHostCompositeDevice` selects configuration 1 of
 * composite, CDC and class-0 devices so their interfaces get published.
 */
import { IOInterruptEventSource, IOService, IOWorkLoop, NS_PER_MS, OSMetaClass, findMessagedInterruptIndex, joinPowerTree, kIOServiceAsynchronous, kOffOnPowerStates, type TaskHandle } from "../../kernel/index.ts";
import { XHCIController } from "../hardware/index.ts";
import { IOPCIDevice } from "../pci/index.ts";
import { IOUSBHostDevice } from "./IOUSBHostDevice.ts";
import { kIOUSBHostFamilyBundleID } from "./parseConfiguration.ts";

let sessionCounter = 0x1000_0000n;

export class AppleUSBXHCIPCI extends IOService {
  #pci: IOPCIDevice | undefined;
  #hc: XHCIController | undefined;
  readonly #devices = new Map<number, IOUSBHostDevice>();
  #nextAddress = 1;
  #powerAck: TaskHandle | undefined;

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOPCIDevice) || !(provider.hardware instanceof XHCIController)) return false;
    this.#pci = provider;
    this.#hc = provider.hardware;
    provider.setMemoryEnable(true);
    provider.setBusMasterEnable(true);
    const loop = IOWorkLoop.workLoop(this.getWorkLoop().scheduler, "AppleUSBXHCIPCI");
    const index = findMessagedInterruptIndex(provider) ?? 0;
    const src = IOInterruptEventSource.interruptEventSource(this, () => this.#portChange(), provider, index);
    if (src === null) return false;
    loop.addEventSource(src);
    src.enable();
    this.resources.defer(() => { loop.removeEventSource(src); src.release(); loop.release(); });
    this.setProperty("IOClassNameOverride", "AppleUSBXHCI");
    // Power: off/on under the PCI nub; the root hub's devices become power children.
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    this.resources.defer(() => { this.#powerAck?.cancel(); this.PMstop(); });
    for (let port = 1; port < this.#hc.ports.length; port++) if (this.#hc.ports[port]) this.#enumerate(port);
    this.registerService();
    return true;
  }

  /**
   * Halting or running the controller takes a moment (the HCHalted bit): answer that the change
   * completes within 10 ms and acknowledge asynchronously 1 ms of virtual time later.
   */
  override setPowerState(_state: number, _device: IOService): number {
    this.#powerAck?.cancel();
    this.#powerAck = this.getWorkLoop().scheduler.postAfter(NS_PER_MS, () => {
      this.#powerAck = undefined;
      this.acknowledgeSetPowerState();
    }, "AppleUSBXHCIPCI power ack");
    return 10_000;
  }

  #portChange(): void {
    const hc = this.#hc;
    if (hc === undefined) return;
    for (const port of hc.changedPorts()) {
      hc.clearPortChange(port);
      const old = this.#devices.get(port);
      if (old) {
        this.#devices.delete(port);
        old.terminate();
      }
      if (hc.ports[port]) this.#enumerate(port);
    }
  }

  #enumerate(port: number): void {
    const hw = this.#hc?.ports[port];
    const pci = this.#pci;
    if (hw === undefined || pci === undefined) return;
    const nub = new IOUSBHostDevice(this.registry);
    nub.init();
    try {
      nub.enumerate(hw, ((pci.hardware.desc.device << 24) | (port << 20)) >>> 0, sessionCounter++, this.#nextAddress++ & 0x7f || 1);
    } catch (e) {
      this.IOLog(`AppleUSBXHCIPCI: port ${port}: enumeration failed: ${e instanceof Error ? e.message : String(e)}`);
      nub.release();
      return;
    }
    nub.attach(this);
    this.#devices.set(port, nub);
    nub.registerService(kIOServiceAsynchronous);
    nub.release();
  }

  /** The enumerated devices by port. */
  get devices(): ReadonlyMap<number, IOUSBHostDevice> {
    return this.#devices;
  }
}
OSMetaClass.define(AppleUSBXHCIPCI, "AppleUSBXHCIPCI", { kmodName: kIOUSBHostFamilyBundleID });

export class AppleUSBHostCompositeDevice extends IOService {
  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOUSBHostDevice)) return false;
    const first = provider.configurations[0];
    if (first === undefined) {
      this.IOLog(`AppleUSBHostCompositeDevice: ${provider.getName()} has no usable configuration`);
      return false;
    }
    const r = provider.setConfiguration(first.bConfigurationValue);
    if (r !== 0) this.IOLog(`AppleUSBHostCompositeDevice: ${provider.getName()}: setConfiguration failed 0x${(r >>> 0).toString(16)}`);
    return r === 0;
  }
}
OSMetaClass.define(AppleUSBHostCompositeDevice, "AppleUSBHostCompositeDevice", { kmodName: kIOUSBHostFamilyBundleID });
