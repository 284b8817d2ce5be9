export { IOHIDInterface, kIOHIDFamilyBundleID, type HIDReportHandler } from "./IOHIDInterface.ts";
export { IOHIDDevice, IOUSBHostHIDDevice } from "./IOUSBHostHIDDevice.ts";
export { IOHIDEventDriver, type HIDEvent } from "./IOHIDEventDriver.ts";
export { parseReportDescriptor, readField, HIDReportDescriptorError, type HIDElement, type HIDReportDescriptor } from "./parseReportDescriptor.ts";
