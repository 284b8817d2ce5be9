export { IOPCIDevice, IOMemoryMap, kIOPCIFamilyBundleID } from "./IOPCIDevice.ts";
export { IOPCIBridge, AppleVirtualPCI, type PCIFunctionSource } from "./IOPCIBridge.ts";
export { IODMAMemoryDescriptor, IODMACommand, type IODMASegment } from "./IODMACommand.ts";
