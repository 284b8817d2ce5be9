/**
 * IOUSBHostFamily's interface nub, `IOUSBHostInterface`: one interface of the current
 * configuration. Properties follow Apple's (`bInterfaceNumber`, `bAlternateSetting`,
 * `bInterfaceClass`/`SubClass`/`Protocol`, `bConfigurationValue`, and the device's `idVendor`,
 * `idProduct`, `bcdDevice`, `locationID` copied down for matching). `copyPipe(address)` opens an
 * endpoint; `deviceRequest` reaches the device's default pipe with the interface as recipient.
 */
import { kIOReturnNotResponding, type IOReturn } from "../../base/index.ts";
import { IOService, OSMetaClass } from "../../kernel/index.ts";
import type { USBSetup, VirtualUSBDevice } from "../hardware/index.ts";
import { n } from "../machine/index.ts";
import { IOUSBHostPipe } from "./IOUSBHostPipe.ts";
import { kIOUSBHostFamilyBundleID, type ParsedInterface } from "./parseConfiguration.ts";

/** What an interface needs of its device (IOUSBHostDevice implements it). */
export interface USBDeviceHandle extends IOService {
  readonly hardware: VirtualUSBDevice | undefined;
  deviceRequest(setup: USBSetup, data?: Uint8Array): IOReturn;
  deviceRequestData(setup: USBSetup, data?: Uint8Array): Uint8Array | undefined;
  getStringDescriptor(index: number): string | undefined;
}

export class IOUSBHostInterface extends IOService {
  #device: USBDeviceHandle | undefined;
  #desc: ParsedInterface | undefined;
  readonly #pipes: IOUSBHostPipe[] = [];

  /** @internal */
  configure(device: USBDeviceHandle, desc: ParsedInterface, configurationValue: number): void {
    this.#device = device;
    this.#desc = desc;
    const name = desc.iInterface !== 0 ? device.getStringDescriptor(desc.iInterface) : undefined;
    this.setName(name ?? "IOUSBHostInterface");
    this.setLocation(String(desc.bInterfaceNumber));
    const copy = (k: string) => device.getProperty(k) ?? n(0);
    this.setProperties([
      ["bcdDevice", copy("bcdDevice")], ["USBSpeed", copy("USBSpeed")], ["idProduct", copy("idProduct")], ["bConfigurationValue", n(configurationValue, 8)],
      ["bInterfaceSubClass", n(desc.bInterfaceSubClass, 8)], ["locationID", copy("locationID")], ["USBPortType", copy("USBPortType")],
      ["idVendor", copy("idVendor")], ["bInterfaceProtocol", n(desc.bInterfaceProtocol, 8)], ["bAlternateSetting", n(desc.bAlternateSetting, 8)],
      ["bInterfaceNumber", n(desc.bInterfaceNumber, 8)], ["bInterfaceClass", n(desc.bInterfaceClass, 8)], ["bNumEndpoints", n(desc.endpoints.length, 8)],
      ["iInterface", n(desc.iInterface, 8)],
    ]);
    if (name !== undefined) this.setProperty("kUSBString", name);
  }

  get interfaceNumber(): number { return this.#desc?.bInterfaceNumber ?? 0; }
  get descriptor(): ParsedInterface | undefined { return this.#desc; }
  /** The device this interface belongs to. */
  getDevice(): USBDeviceHandle | undefined { return this.#device; }

  /** Opens the pipe for endpoint `address` (`copyPipe`); undefined if the interface has no such endpoint. */
  copyPipe(address: number): IOUSBHostPipe | undefined {
    const hw = this.#device?.hardware;
    const ep = this.#desc?.endpoints.find((e) => e.bEndpointAddress === address);
    if (hw === undefined || ep === undefined) return undefined;
    const pipe = new IOUSBHostPipe(hw, ep);
    this.#pipes.push(pipe);
    return pipe;
  }

  /** The first endpoint of `type` (2 bulk, 3 interrupt) and direction. */
  findEndpoint(type: number, isIn: boolean): number | undefined {
    return this.#desc?.endpoints.find((e) => (e.bmAttributes & 3) === type && ((e.bEndpointAddress & 0x80) !== 0) === isIn)?.bEndpointAddress;
  }

  /** A class or vendor request addressed to this interface. */
  deviceRequest(setup: USBSetup, data?: Uint8Array): IOReturn {
    return this.#device?.deviceRequest(setup, data) ?? kIOReturnNotResponding;
  }
  deviceRequestData(setup: USBSetup, data?: Uint8Array): Uint8Array | undefined {
    return this.#device?.deviceRequestData(setup, data);
  }

  override stop(provider: IOService): void {
    for (const p of this.#pipes.splice(0)) p.abort();
    super.stop(provider);
  }

  override willTerminate(provider: IOService, options: number): boolean {
    for (const p of this.#pipes.splice(0)) p.abort();
    return super.willTerminate(provider, options);
  }
}
OSMetaClass.define(IOUSBHostInterface, "IOUSBHostInterface", { kmodName: kIOUSBHostFamilyBundleID });
