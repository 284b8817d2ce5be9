/**
 * IONetworkingFamily's kext executable. The family's code is part of the kernel image (src/drivers); this
 * module links against it: each export is one of the family's classes, which the kernel attributes
 * to com.apple.iokit.IONetworkingFamily when the kext loads.
 */
export { IONetworkController, IOEthernetController, IOEthernetInterface, AppleVirtualLoopbackEthernet } from "../../src/drivers/index.ts";
