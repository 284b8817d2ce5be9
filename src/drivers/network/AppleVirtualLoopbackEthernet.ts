/**
 * The loopback NIC driver of the virtual machine (`AppleVirtualLoopbackEthernet`, PCI class
 * 0x020000): reads the MAC from BAR0, reports link up at 1 Gb/s, and on each receive interrupt
 * drains the NIC's queue into its `IOEthernetInterface`.
 */
import { kIOReturnNoDevice, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { IOInterruptEventSource, IOService, OSMetaClass, findMessagedInterruptIndex, joinPowerTree, kOffOnPowerStates } from "../../kernel/index.ts";
import { LoopbackNIC } from "../hardware/index.ts";
import { IOPCIDevice } from "../pci/index.ts";
import { IOEthernetController, kIONetworkingFamilyBundleID } from "./IOEthernetController.ts";

export class AppleVirtualLoopbackEthernet extends IOEthernetController {
  #nic: LoopbackNIC | undefined;
  #mac = new Uint8Array(6);

  override start(provider: IOService): boolean {
    if (!super.start(provider) || !(provider instanceof IOPCIDevice) || !(provider.hardware instanceof LoopbackNIC)) return false;
    provider.setMemoryEnable(true);
    provider.setBusMasterEnable(true);
    const regs = provider.mapDeviceMemoryWithIndex(0);
    if (regs === undefined) return false;
    this.#nic = provider.hardware;
    this.#mac = Uint8Array.from({ length: 6 }, (_, i) => regs.read8(i));
    const loop = this.getWorkLoop();
    const src = IOInterruptEventSource.interruptEventSource(this, () => {
      const nif = this.networkInterface;
      for (let f = this.#nic?.rxQueue.shift(); f !== undefined; f = this.#nic?.rxQueue.shift()) nif?.inputPacket(f);
    }, provider, findMessagedInterruptIndex(provider) ?? 0);
    if (src === null) return false;
    loop.addEventSource(src);
    src.enable();
    this.resources.defer(() => loop.removeEventSource(src));
    this.setProperties([["IOVendor", "iokit-ts"], ["IOModel", "Virtual Loopback Ethernet"]]);
    joinPowerTree(this, provider, kOffOnPowerStates, 1);
    this.resources.defer(() => this.PMstop());
    this.setLinkStatus((regs.read32(8) & 1) === 1, 1_000_000_000, "00100030");
    this.attachInterface(true);
    this.registerService();
    return true;
  }

  override getHardwareAddress(): Uint8Array { return this.#mac; }

  override outputPacket(frame: Uint8Array): IOReturn {
    if (this.#nic === undefined) return kIOReturnNoDevice;
    this.#nic.transmit(frame);
    return kIOReturnSuccess;
  }
}
OSMetaClass.define(AppleVirtualLoopbackEthernet, "AppleVirtualLoopbackEthernet", { kmodName: kIONetworkingFamilyBundleID });
