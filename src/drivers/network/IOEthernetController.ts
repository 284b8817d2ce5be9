/**
 * IONetworkingFamily: `IONetworkController` → `IOEthernetController` (a driver for one NIC, with
 * `IOMACAddress`, `IOVendor`, `IOModel`, `IOLinkStatus`, `IOLinkSpeed`, `IOActiveMedium`) and
 * `IOEthernetInterface` (the BSD interface object `en<N>`: `BSD Name`, `IOInterfaceType` 6,
 * `IOMaxTransferUnit` 1500, `IOMediaAddressLength` 6, `IOMediaHeaderLength` 14,
 * `IOInterfaceFlags`, `IOInterfaceNamePrefix`, `IOInterfaceUnit`, `IOPrimaryInterface`,
 * `IOBuiltin`, `IOLocation`). Units are assigned per kernel in attach order, en0 first.
 * Controllers implement `outputPacket`; received frames go up through `inputPacket`.
 */
import { kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { IOService, OSMetaClass, kIOServiceAsynchronous, type RegistryHost } from "../../kernel/index.ts";
import { n } from "../machine/index.ts";

export const kIONetworkingFamilyBundleID = "com.apple.iokit.IONetworkingFamily";

export class IONetworkController extends IOService {}
OSMetaClass.define(IONetworkController, "IONetworkController", { kmodName: kIONetworkingFamilyBundleID });

const units = new WeakMap<RegistryHost, Set<number>>();

export class IOEthernetInterface extends IOService {
  #controller: IOEthernetController | undefined;
  #stats = { inputPackets: 0, outputPackets: 0, inputErrors: 0, outputErrors: 0 };
  /** Frames handed up to the (absent) network stack, last 16. */
  readonly received: Uint8Array[] = [];

  /** @internal */
  bindController(c: IOEthernetController, unit: number, builtin: boolean): void {
    this.#controller = c;
    this.setName("IOEthernetInterface");
    this.setProperties([
      ["IOLocation", String(unit)], ["IOInterfaceFlags", n(0x8863)], ["IOMaxTransferUnit", n(1500)], ["IOMediaAddressLength", n(6)],
      ["IOInterfaceType", n(6)], ["BSD Name", `en${unit}`], ["IOInterfaceState", n(3)], ["IOMediaHeaderLength", n(14)],
      ["IOInterfaceExtraFlags", n(0x40)], ["IOPrimaryInterface", unit === 0], ["IOControllerEnabled", true],
      ["IOInterfaceUnit", n(unit)], ["IOInterfaceNamePrefix", "en"], ["IOBuiltin", builtin],
    ]);
    this.#publishStats();
  }

  #publishStats(): void {
    const s = this.#stats;
    this.setProperty("IONetworkData", new Map([["IONetworkStatsKey", new Map([
      ["inputPackets", n(s.inputPackets)], ["outputPackets", n(s.outputPackets)], ["inputErrors", n(s.inputErrors)], ["outputErrors", n(s.outputErrors)],
    ])]]));
  }

  /** The stack sends a frame (`if_output`). */
  output(frame: Uint8Array): IOReturn {
    const c = this.#controller;
    const r = c === undefined || frame.length < 14 || frame.length > 1514 ? -1 : c.outputPacket(frame);
    if (r === kIOReturnSuccess) this.#stats.outputPackets++; else this.#stats.outputErrors++;
    this.#publishStats();
    return r === -1 ? 0xe00002c2 | 0 : r;
  }

  /** The controller delivers a received frame (`inputPacket`). */
  inputPacket(frame: Uint8Array): void {
    if (frame.length < 14) this.#stats.inputErrors++;
    else {
      this.#stats.inputPackets++;
      this.received.push(frame);
      if (this.received.length > 16) this.received.shift();
    }
    this.#publishStats();
  }

  get statistics(): { inputPackets: number; outputPackets: number; inputErrors: number; outputErrors: number } {
    return { ...this.#stats };
  }
}
OSMetaClass.define(IOEthernetInterface, "IOEthernetInterface", { kmodName: kIONetworkingFamilyBundleID });

export class IOEthernetController extends IONetworkController {
  #interface: IOEthernetInterface | undefined;

  /** The NIC's station address. */
  getHardwareAddress(): Uint8Array { return new Uint8Array(6); }
  /** Sends a frame; kIOReturnSuccess when the hardware took it. */
  outputPacket(_frame: Uint8Array): IOReturn { return kIOReturnSuccess; }

  /** Publishes the controller's properties and its `IOEthernetInterface` (`attachInterface`). */
  attachInterface(builtin = true): IOEthernetInterface {
    this.setProperties([["IOMACAddress", this.getHardwareAddress()], ["IOMaxPacketSize", n(1518)], ["IOMinPacketSize", n(64)]]);
    const used = units.get(this.registry) ?? new Set<number>();
    units.set(this.registry, used);
    let unit = 0;
    while (used.has(unit)) unit++;
    used.add(unit);
    this.resources.defer(() => used.delete(unit));
    const nif = new IOEthernetInterface(this.registry);
    nif.init();
    nif.bindController(this, unit, builtin);
    nif.attach(this);
    this.#interface = nif;
    nif.registerService(kIOServiceAsynchronous);
    nif.release();
    return nif;
  }

  get networkInterface(): IOEthernetInterface | undefined {
    return this.#interface;
  }

  /** Link state as IONetworkController publishes it (`setLinkStatus`). */
  setLinkStatus(active: boolean, speedBitsPerSecond: number, medium: string): void {
    this.setProperties([["IOLinkStatus", n(active ? 3 : 1)], ["IOLinkSpeed", n(speedBitsPerSecond, 64)], ["IOActiveMedium", medium], ["IOSelectedMedium", medium]]);
  }
}
OSMetaClass.define(IOEthernetController, "IOEthernetController", { kmodName: kIONetworkingFamilyBundleID });
