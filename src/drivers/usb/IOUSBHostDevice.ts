/**
 * IOUSBHostFamily's device nub, `IOUSBHostDevice`: the descriptors read at enumeration become the
 * properties Apple's family publishes (`idVendor`, `idProduct`, `bcdDevice`, `bDeviceClass`…,
 * `USB Product Name`, `USB Vendor Name`, `USB Serial Number`, `locationID`, `sessionID`,
 * `USBSpeed`, `kUSBCurrentConfiguration`), and `setConfiguration` publishes one
 * {@link IOUSBHostInterface} per interface (alternate setting 0) for interface drivers to match.
 * `deviceRequest` sends a control request on the default pipe.
 */
import { IOReturnError, kIOReturnNotResponding, kIOReturnSuccess, type IOReturn } from "../../base/index.ts";
import { IOService, OSMetaClass, joinPowerTree, kIOServiceAsynchronous, kOffLowOnPowerStates } from "../../kernel/index.ts";
import type { USBSetup, VirtualUSBDevice } from "../hardware/index.ts";
import { kUSBConfDesc, kUSBDeviceDesc, kUSBStringDesc } from "../hardware/index.ts";
import { hex, n } from "../machine/index.ts";
import { IOUSBHostInterface, type USBDeviceHandle } from "./IOUSBHostInterface.ts";
import { kUSBHostReturnPipeStalled } from "./IOUSBHostPipe.ts";
import { kIOUSBHostFamilyBundleID, parseConfiguration, type ParsedConfiguration } from "./parseConfiguration.ts";

const SPEEDS: Record<string, number> = { low: 0, full: 1, high: 2, super: 3 };

export class IOUSBHostDevice extends IOService implements USBDeviceHandle {
  #hw: VirtualUSBDevice | undefined;
  #configs: ParsedConfiguration[] = [];
  #current = 0;

  /** @internal The controller enumerates the device and publishes its properties. */
  enumerate(hw: VirtualUSBDevice, locationID: number, sessionID: bigint, address: number): void {
    this.#hw = hw;
    this.deviceRequest({ bmRequestType: 0, bRequest: 5, wValue: address, wIndex: 0, wLength: 0 });
    const dd = this.#get(kUSBDeviceDesc, 0, 18);
    if (dd.length < 18) throw new IOReturnError(kIOReturnNotResponding, `device descriptor is ${dd.length} bytes`);
    const v = new DataView(dd.buffer, dd.byteOffset);
    for (let i = 0; i < (dd[17] ?? 0); i++) {
      const head = this.#get(kUSBConfDesc, i, 9);
      const total = head.length >= 4 ? (head[2] ?? 0) | ((head[3] ?? 0) << 8) : 0;
      const parsed = parseConfiguration(this.#get(kUSBConfDesc, i, total));
      if (parsed) this.#configs.push(parsed);
    }
    const str = (i: number): string | undefined => (i === 0 ? undefined : this.getStringDescriptor(i));
    const product = str(dd[15] ?? 0), vendor = str(dd[14] ?? 0), serial = str(dd[16] ?? 0);
    this.setName(product ?? "IOUSBHostDevice");
    this.setLocation(hex(locationID, 8));
    const props: Array<[string, import("../../libkern/index.ts").OSValue]> = [
      ["sessionID", n(sessionID, 64)], ["USBSpeed", n(SPEEDS[hw.desc.speed] ?? 1)], ["idProduct", n(v.getUint16(10, true), 16)],
      ["iManufacturer", n(dd[14] ?? 0, 8)], ["bNumConfigurations", n(dd[17] ?? 0, 8)], ["bcdDevice", n(v.getUint16(12, true), 16)],
      ["bDeviceClass", n(dd[4] ?? 0, 8)], ["bMaxPacketSize0", n(dd[7] ?? 0, 8)], ["bcdUSB", n(v.getUint16(2, true), 16)],
      ["locationID", n(locationID)], ["bDeviceSubClass", n(dd[5] ?? 0, 8)], ["bDeviceProtocol", n(dd[6] ?? 0, 8)],
      ["iProduct", n(dd[15] ?? 0, 8)], ["iSerialNumber", n(dd[16] ?? 0, 8)], ["USBPortType", n(0)], ["idVendor", n(v.getUint16(8, true), 16)],
      ["kUSBCurrentConfiguration", n(0, 8)], ["Device Speed", n(SPEEDS[hw.desc.speed] ?? 1)], ["USB Address", n(address, 8)],
    ];
    if (product !== undefined) props.push(["USB Product Name", product], ["kUSBProductString", product]);
    if (vendor !== undefined) props.push(["USB Vendor Name", vendor], ["kUSBVendorString", vendor]);
    if (serial !== undefined) props.push(["USB Serial Number", serial], ["kUSBSerialNumberString", serial]);
    this.setProperties(props);
  }

  /** Attaching to the controller joins the power tree: off, suspended, on (usable while the system is awake). */
  override attach(provider: IOService): boolean {
    if (!super.attach(provider)) return false;
    joinPowerTree(this, provider, kOffLowOnPowerStates, "usable");
    return true;
  }

  override detach(provider: IOService): void {
    this.PMstop();
    super.detach(provider);
  }

  get hardware(): VirtualUSBDevice | undefined {
    return this.#hw;
  }

  #get(type: number, index: number, length: number): Uint8Array {
    const r = this.deviceRequestData({ bmRequestType: 0x80, bRequest: 6, wValue: (type << 8) | index, wIndex: type === kUSBStringDesc ? 0x409 : 0, wLength: length });
    return r ?? new Uint8Array(0);
  }

  /** A control request on the default pipe; returns the status. */
  deviceRequest(setup: USBSetup, data?: Uint8Array): IOReturn {
    const r = this.#hw?.control(setup, data);
    return r === undefined ? kIOReturnNotResponding : r.status === "ok" ? kIOReturnSuccess : kUSBHostReturnPipeStalled;
  }

  /** A control request returning its data stage, or undefined on failure. */
  deviceRequestData(setup: USBSetup, data?: Uint8Array): Uint8Array | undefined {
    const r = this.#hw?.control(setup, data);
    return r?.status === "ok" ? r.data : undefined;
  }

  /** String descriptor `index` decoded (UTF-16LE), or undefined. */
  getStringDescriptor(index: number): string | undefined {
    const s = this.#get(kUSBStringDesc, index, 255);
    if (s.length < 2) return undefined;
    let out = "";
    for (let i = 2; i + 1 < Math.min(s.length, s[0] ?? 0); i += 2) out += String.fromCharCode((s[i] ?? 0) | ((s[i + 1] ?? 0) << 8));
    return out;
  }

  /** The parsed configuration descriptors. */
  get configurations(): readonly ParsedConfiguration[] {
    return this.#configs;
  }

  /**
   * `setConfiguration(value, matchInterfaces)`: selects the configuration and publishes its
   * interfaces (alternate setting 0). Value 0 unconfigures and terminates the interfaces.
   */
  setConfiguration(value: number, matchInterfaces = true): IOReturn {
    for (const i of this.copyInterfaces()) i.terminate();
    const r = this.deviceRequest({ bmRequestType: 0, bRequest: 9, wValue: value, wIndex: 0, wLength: 0 });
    if (r !== kIOReturnSuccess) return r;
    this.#current = value;
    this.setProperty("kUSBCurrentConfiguration", n(value, 8));
    const config = this.#configs.find((c) => c.bConfigurationValue === value);
    if (value === 0 || config === undefined) return kIOReturnSuccess;
    for (const idesc of config.interfaces.filter((i) => i.bAlternateSetting === 0)) {
      const nub = new IOUSBHostInterface(this.registry);
      nub.init();
      nub.configure(this, idesc, config.bConfigurationValue);
      nub.attach(this);
      if (matchInterfaces) nub.registerService(kIOServiceAsynchronous);
      nub.release();
    }
    return kIOReturnSuccess;
  }

  get currentConfiguration(): number {
    return this.#current;
  }

  /** The published interfaces, in interface-number order (interface iteration). */
  copyInterfaces(): IOUSBHostInterface[] {
    return this.getClients().filter((c): c is IOUSBHostInterface => c instanceof IOUSBHostInterface && !c.isInactive())
      .sort((a, b) => a.interfaceNumber - b.interfaceNumber);
  }
}
OSMetaClass.define(IOUSBHostDevice, "IOUSBHostDevice", { kmodName: kIOUSBHostFamilyBundleID });
