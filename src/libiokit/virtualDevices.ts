/**
 * The client side of hot plug: plugging and unplugging virtual USB devices on a kernel that has
 * virtual hardware (`iokit boot`'s machine, or an embedded one). Apple's IOKitLib has no such call
 * (hardware is plugged by hand), so these are idiomatic only; the compat layer has no counterpart.
 * Attach and detach need a privileged connection (the daemon's `.priv` socket).
 */
import { IOReturnError, kIOReturnBadArgument } from "../base/index.ts";
import type { WireValue } from "../ipc/index.ts";

/** A service of a plugged device's stack, depth first from the `IOUSBHostDevice` (depth 0). */
export interface DeviceService {
  readonly depth: number;
  readonly name: string;
  readonly location: string | undefined;
  readonly className: string;
  /** False once terminated (what a detach should report for every service). */
  readonly active: boolean;
}

/** What a plug did: the port, the product string, and the services that matched. */
export interface DeviceAttachment {
  readonly port: number;
  readonly product: string | undefined;
  readonly services: DeviceService[];
}

/** What an unplug did; `idleKexts` autounload `autounloadDelaySeconds` after the registry goes quiet. */
export interface DeviceDetachment extends DeviceAttachment {
  readonly idleKexts: string[];
  readonly autounloadDelaySeconds: number;
}

/** One occupied root port. */
export interface USBPortDevice {
  readonly port: number;
  readonly product: string | undefined;
  readonly idVendor: number;
  readonly idProduct: number;
}

const bad = (what: string): never => {
  throw new IOReturnError(kIOReturnBadArgument, `malformed ${what} reply`);
};
const int = (v: WireValue | undefined, what: string): number => (typeof v === "number" && Number.isInteger(v) ? v : bad(what));
const optStr = (v: WireValue | undefined): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: WireValue | undefined, what: string): WireValue[] => (Array.isArray(v) ? v : bad(what));

function services(v: WireValue | undefined, what: string): DeviceService[] {
  return list(v, what).map((s) => {
    const t = list(s, what);
    return { depth: int(t[0], what), name: String(t[1]), location: optStr(t[2]), className: String(t[3]), active: t[4] === true };
  });
}

/** Decodes the reply of `iokit_device_attach`. */
export function attachmentFromWire(v: WireValue): DeviceAttachment {
  const t = list(v, "device attach");
  return { port: int(t[0], "device attach"), product: optStr(t[1]), services: services(t[2], "device attach") };
}

/** Decodes the reply of `iokit_device_detach`. */
export function detachmentFromWire(v: WireValue): DeviceDetachment {
  const t = list(v, "device detach");
  return {
    port: int(t[0], "device detach"), product: optStr(t[1]), services: services(t[2], "device detach"),
    idleKexts: list(t[3], "device detach").filter((x): x is string => typeof x === "string"), autounloadDelaySeconds: int(t[4], "device detach"),
  };
}

/** Decodes the reply of `iokit_device_list`: the port count and the occupied ports. */
export function portsFromWire(v: WireValue): { portCount: number; devices: USBPortDevice[] } {
  const t = list(v, "device list");
  return {
    portCount: int(t[0], "device list"),
    devices: list(t[1], "device list").map((d) => {
      const x = list(d, "device list");
      return { port: int(x[0], "device list"), product: optStr(x[1]), idVendor: int(x[2], "device list"), idProduct: int(x[3], "device list") };
    }),
  };
}
