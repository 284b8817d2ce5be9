/**
 * The machine loader: turns a checked {@link MachineDescription} into hardware models and the
 * platform's nubs on a booted kernel — the platform expert gets the model name and identity
 * properties, and a `PCI0` platform device carrying the PCI functions is published for
 * IOPCIFamily's host-bridge driver to match (`IONameMatch` = `pci-host-bridge`). Everything below
 * it (PCI nubs, USB, HID, serial, storage, network) is then built by drivers through matching.
 *
 * Hot plug goes through the returned {@link VirtualMachine}: USB devices on an xHCI controller's
 * ports, and whole PCI functions on the host bridge.
 */
import { IOService, OSMetaClass, kIOServiceAsynchronous, type IOKernel } from "../../kernel/index.ts";
import { createFunctionModel, XHCIController, Uart16550, type PCIFunctionModel, type VirtualUSBDevice } from "../hardware/index.ts";
import { dtString, parseMachineDescription, type MachineDescription, type USBDeviceDescription } from "../machine/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { IOPCIBridge, type PCIFunctionSource } from "../pci/index.ts";

/** A platform device nub (a device-tree node the platform expert publishes). */
export class IOPlatformDevice extends IOService implements PCIFunctionSource {
  pciFunctions: PCIFunctionModel[] = [];
}
OSMetaClass.define(IOPlatformDevice, "IOPlatformDevice");

/** A booted machine's hardware, for hot plug and inspection. */
export class VirtualMachine {
  readonly description: MachineDescription;
  readonly functions: readonly PCIFunctionModel[];
  readonly hostBridge: IOPlatformDevice;
  constructor(description: MachineDescription, functions: PCIFunctionModel[], hostBridge: IOPlatformDevice) {
    this.description = description;
    this.functions = functions;
    this.hostBridge = hostBridge;
  }
  /** The first xHCI controller. */
  get usb(): XHCIController | undefined {
    return this.functions.find((f): f is XHCIController => f instanceof XHCIController);
  }
  /** The first UART. */
  get uart(): Uart16550 | undefined {
    return this.functions.find((f): f is Uart16550 => f instanceof Uart16550);
  }
  /** Plugs a USB device (already checked) into its port on the first xHCI controller. */
  plugUSB(desc: USBDeviceDescription): VirtualUSBDevice | undefined {
    return this.usb?.plug(desc);
  }
  unplugUSB(port: number): VirtualUSBDevice | undefined {
    return this.usb?.unplug(port);
  }
  /** Plugs a PCI function (hot-plug slot) under the host bridge's driver. */
  plugPCI(fn: PCIFunctionModel): boolean {
    const bridge = this.hostBridge.getClients().find((c): c is IOPCIBridge => c instanceof IOPCIBridge);
    if (bridge === undefined) return false;
    bridge.plug(fn);
    return true;
  }
}

/**
 * Builds `description` (a checked description, or a raw plist value that is checked first — a bad
 * one throws {@link MachineDescriptionError} before anything is attached) on `kernel`.
 */
export function bootMachine(kernel: IOKernel, description: MachineDescription | OSValue): VirtualMachine {
  const m = isChecked(description) ? description : parseMachineDescription(description);
  const functions = m.pci.map(createFunctionModel);
  const pe = kernel.platform;
  pe.setName(m.model);
  pe.setProperties([
    ["model", dtString(m.model)], ["manufacturer", dtString(m.manufacturer)], ["IOPlatformSerialNumber", m.serialNumber],
    ["board-id", dtString(m.boardID)], ["compatible", dtString(m.model)], ["name", dtString("/")],
  ]);
  const bridge = new IOPlatformDevice(kernel.registry);
  bridge.init();
  bridge.pciFunctions = functions;
  bridge.setName("PCI0");
  bridge.setLocation("0");
  bridge.setProperties([["IOName", "pci-host-bridge"], ["name", dtString("pci-host-bridge")], ["compatible", dtString("pci-host-bridge")], ["device_type", dtString("pci")]]);
  bridge.attach(pe);
  bridge.registerService(kIOServiceAsynchronous);
  bridge.release();
  return new VirtualMachine(m, functions, bridge);
}

function isChecked(d: MachineDescription | OSValue): d is MachineDescription {
  return typeof d === "object" && d !== null && !(d instanceof Map) && "pci" in d && "model" in d && typeof (d as { model: unknown }).model === "string";
}
