/**
 * IOSerialFamily's kext executable. The family's code is part of the kernel image (src/drivers); this
 * module links against it: each export is one of the family's classes, which the kernel attributes
 * to com.apple.iokit.IOSerialFamily when the kext loads.
 */
export { IOSerialStreamSync, IOModemSerialStreamSync, IOSerialBSDClient, Apple16X50PCI, Apple16X50UARTSync } from "../../src/drivers/index.ts";
