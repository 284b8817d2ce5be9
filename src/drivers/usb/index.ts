export { IOUSBHostDevice } from "./IOUSBHostDevice.ts";
export { IOUSBHostInterface, type USBDeviceHandle } from "./IOUSBHostInterface.ts";
export { IOUSBHostPipe, kUSBHostReturnPipeStalled, type IOUSBIOResult } from "./IOUSBHostPipe.ts";
export { AppleUSBXHCIPCI, AppleUSBHostCompositeDevice } from "./AppleUSBXHCIPCI.ts";
export { parseConfiguration, kIOUSBHostFamilyBundleID, type ParsedConfiguration, type ParsedInterface } from "./parseConfiguration.ts";
