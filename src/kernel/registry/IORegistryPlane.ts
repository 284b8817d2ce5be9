/**
 * A registry plane: one independent parent/child topology over the same entries (IOService,
 * IOPower, IODeviceTree, IOUSB, IOACPIPlane, …). XNU derives four per-entry keys from each plane's
 * name; we keep them for serializers and for IORegistryExplorer-style output.
 */
import { IOReturnError, kIOReturnBadArgument } from "../../base/index.ts";

/** The longest plane name XNU accepts (`kIOMaxPlaneName`). */
export const kIOMaxPlaneName = 32;

export class IORegistryPlane {
  /** The plane's name, e.g. `IOService`. */
  readonly name: string;
  /** `<Plane>Name`: the key of an entry's plane-specific name. */
  readonly nameKey: string;
  /** `<Plane>Location`: the key of an entry's plane-specific location. */
  readonly locationKey: string;
  /** `<Plane>ParentLinks`. */
  readonly parentKey: string;
  /** `<Plane>ChildLinks`. */
  readonly childKey: string;
  /** The plane's slot in its registry (entries index their link tables by it). */
  readonly index: number;

  /** @throws {IOReturnError} kIOReturnBadArgument for an empty name or one longer than 32 characters. */
  constructor(name: string, index: number) {
    if (name.length === 0 || name.length > kIOMaxPlaneName || name.includes(":")) {
      throw new IOReturnError(kIOReturnBadArgument, `Cannot make registry plane "${name}": name must be 1-32 characters without ':'`);
    }
    this.name = name;
    this.index = index;
    this.nameKey = `${name}Name`;
    this.locationKey = `${name}Location`;
    this.parentKey = `${name}ParentLinks`;
    this.childKey = `${name}ChildLinks`;
  }

  toString(): string {
    return this.name;
  }
}

/** Apple's standard planes (`kIOServicePlane`, …). */
export const kIOServicePlane = "IOService";
export const kIOPowerPlane = "IOPower";
export const kIODeviceTreePlane = "IODeviceTree";
export const kIOAudioPlane = "IOAudio";
export const kIOFireWirePlane = "IOFireWire";
export const kIOUSBPlane = "IOUSB";
/** The planes a new registry starts with, in XNU's order. */
export const STANDARD_PLANES: readonly string[] = [
  kIOServicePlane, kIOPowerPlane, kIODeviceTreePlane, kIOAudioPlane, kIOFireWirePlane, kIOUSBPlane,
];
