export { IOSerialStreamSync, IOModemSerialStreamSync, IOSerialBSDClient, kIOSerialFamilyBundleID, type SerialPort } from "./IOSerialStreamSync.ts";
export { Apple16X50PCI, Apple16X50UARTSync } from "./Apple16X50PCI.ts";
