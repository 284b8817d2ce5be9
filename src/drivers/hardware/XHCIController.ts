/**
 * A virtual xHCI controller: root-hub ports holding {@link VirtualUSBDevice}s. Plugging or
 * unplugging a device sets the port's connect-status-change bit and raises the controller's
 * interrupt (vector 0), as PORTSC does; the host controller driver reads `portStatus` and
 * acknowledges with `clearPortChange`.
 */
import type { PCIDeviceDescription, USBDeviceDescription } from "../machine/index.ts";
import { PCIFunctionModel } from "./PCIFunctionModel.ts";
import { VirtualUSBDevice } from "./VirtualUSBDevice.ts";

export const kXHCIPortCount = 15;

export class XHCIController extends PCIFunctionModel {
  readonly ports: Array<VirtualUSBDevice | undefined> = new Array<VirtualUSBDevice | undefined>(kXHCIPortCount + 1).fill(undefined);
  readonly #changed = new Set<number>();

  constructor(desc: PCIDeviceDescription) {
    super(desc);
    for (const u of desc.usb) this.ports[u.port] = new VirtualUSBDevice(u);
  }

  /** Plugs a device into its port; false if the port is taken. */
  plug(desc: USBDeviceDescription): VirtualUSBDevice | undefined {
    if (this.ports[desc.port] !== undefined) return undefined;
    const dev = new VirtualUSBDevice(desc);
    this.ports[desc.port] = dev;
    this.#changed.add(desc.port);
    this.raise(0);
    return dev;
  }

  /** Unplugs the device on `port`. */
  unplug(port: number): VirtualUSBDevice | undefined {
    const dev = this.ports[port];
    if (dev === undefined) return undefined;
    dev.connected = false;
    dev.abort();
    this.ports[port] = undefined;
    this.#changed.add(port);
    this.raise(0);
    return dev;
  }

  /** Ports with a connect-status change, lowest first. */
  changedPorts(): number[] {
    return [...this.#changed].sort((a, b) => a - b);
  }

  clearPortChange(port: number): void {
    this.#changed.delete(port);
  }
}
