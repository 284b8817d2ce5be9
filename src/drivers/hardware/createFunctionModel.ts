/** The hardware model for a described PCI function (plain config space when it has none). */
import type { PCIDeviceDescription } from "../machine/index.ts";
import { LoopbackNIC } from "./LoopbackNIC.ts";
import { NVMeRamDisk } from "./NVMeRamDisk.ts";
import { PCIFunctionModel } from "./PCIFunctionModel.ts";
import { SamplePCIDevice } from "./SamplePCIDevice.ts";
import { Uart16550 } from "./Uart16550.ts";
import { XHCIController } from "./XHCIController.ts";

export function createFunctionModel(desc: PCIDeviceDescription): PCIFunctionModel {
  switch (desc.model) {
    case "uart16550": return new Uart16550(desc);
    case "xhci": return new XHCIController(desc);
    case "nvme-ramdisk": return new NVMeRamDisk(desc);
    case "ethernet-loopback": return new LoopbackNIC(desc);
    case "sample": return new SamplePCIDevice(desc);
    default: return new PCIFunctionModel(desc);
  }
}
