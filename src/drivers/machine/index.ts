export { parseMachineDescription, parseUSBDeviceDescription, countDevices } from "./MachineDescription.ts";
export { MachineDescriptionError, PCI_MODELS, USB_MODELS } from "./MachineNode.ts";
export type * from "./machineTypes.ts";
export { le32, dtString, n, fromJS, hex } from "./osProps.ts";
export { defaultMachine, usbPreset, USB_PRESETS } from "./defaultMachine.ts";
export { KEYBOARD_REPORT_DESCRIPTOR, MOUSE_REPORT_DESCRIPTOR, TRACKPAD_REPORT_DESCRIPTOR } from "./hidDescriptors.ts";
