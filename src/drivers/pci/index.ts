export { IOPCIDevice, IOMemoryMap, kIOPCIFamilyBundleID } from "./IOPCIDevice.ts";
export { IOPCIBridge, AppleVirtualPCI, type PCIFunctionSource } from "./IOPCIBridge.ts";
export { IOBufferMemoryDescriptor, IODMACommand, type IODMASegment } from "./IODMACommand.ts";
