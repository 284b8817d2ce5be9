/**
 * IOPCIFamily's kext executable. The family's code is part of the kernel image (src/drivers); this
 * module links against it: each export is one of the family's classes, which the kernel attributes
 * to com.apple.iokit.IOPCIFamily when the kext loads.
 */
export { IOPCIDevice, IOPCIBridge, AppleVirtualPCI } from "../../src/drivers/index.ts";
