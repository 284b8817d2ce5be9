/**
 * IOPCIFamily's bridge driver: `IOPCIBridge` enumerates the functions behind its provider, assigns
 * their BARs and publishes one {@link IOPCIDevice} nub per function, named and located as on a real
 * Mac (`XHC1@14`, `UART@1F,3`). `AppleVirtualPCI` is the host bridge of the virtual machine; it
 * matches the machine's `PCI0` platform nub (`IONameMatch` = `pci-host-bridge`).
 *
 * Hot plug: `plug(fn)` publishes one more function at run time; `unplug(nub)` terminates it.
 *
 * Power: the bridge joins the power tree (off/on) before it publishes its nubs, so each
 * IOPCIDevice becomes its power child and the function drivers sit below their nub.
 */
import { IOService, OSMetaClass, joinPowerTree, kIOServiceAsynchronous, kOffOnPowerStates } from "../../kernel/index.ts";
import type { PCIFunctionModel } from "../hardware/index.ts";
import { IOPCIDevice, kIOPCIFamilyBundleID } from "./IOPCIDevice.ts";

/** A provider that carries PCI functions (the machine's host-bridge nub). */
export interface PCIFunctionSource { readonly pciFunctions: readonly PCIFunctionModel[] }

const isSource = (s: IOService): s is IOService & PCIFunctionSource => Array.isArray((s as Partial<PCIFunctionSource>).pciFunctions);

export class IOPCIBridge extends IOService {
  #nextAddress = 0x8000_0000n;
  readonly #nubs: IOPCIDevice[] = [];

  override start(provider: IOService): boolean {
    if (!super.start(provider)) return false;
    if (!isSource(provider)) {
      this.IOLog(`${this.getName()}: provider ${provider.getName()} has no PCI functions`);
      return false;
    }
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    for (const fn of provider.pciFunctions) this.plug(fn);
    return true;
  }

  /** Publishes a function's nub. */
  plug(fn: PCIFunctionModel): IOPCIDevice {
    this.#nextAddress = fn.assignResources(this.#nextAddress);
    const nub = new IOPCIDevice(this.registry);
    nub.init();
    nub.bindFunction(fn, 0);
    nub.attach(this);
    this.#nubs.push(nub);
    nub.registerService(kIOServiceAsynchronous);
    nub.release();
    return nub;
  }

  /** The published nubs still attached. */
  get devices(): readonly IOPCIDevice[] {
    return this.#nubs.filter((n) => !n.isInactive());
  }

  override stop(provider: IOService): void {
    for (const n of this.#nubs) n.unbindFunction();
    this.#nubs.length = 0;
    this.PMstop();
    super.stop(provider);
  }
}
OSMetaClass.define(IOPCIBridge, "IOPCIBridge", { kmodName: kIOPCIFamilyBundleID });

/** The virtual machine's PCI host bridge driver. */
export class AppleVirtualPCI extends IOPCIBridge {}
OSMetaClass.define(AppleVirtualPCI, "AppleVirtualPCI", { kmodName: kIOPCIFamilyBundleID });
