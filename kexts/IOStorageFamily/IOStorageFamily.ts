/**
 * IOStorageFamily's kext executable. The family's code is part of the kernel image (src/drivers); this
 * module links against it: each export is one of the family's classes, which the kernel attributes
 * to com.apple.iokit.IOStorageFamily when the kext loads.
 */
export { IOMedia, IOMediaBSDClient, IOBlockStorageDevice, IOBlockStorageDriver, IOGUIDPartitionScheme, AppleVirtualNVMeController, AppleVirtualBlockStorageDevice } from "../../src/drivers/index.ts";
