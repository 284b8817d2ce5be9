export { IOMedia, kIOStorageFamilyBundleID, type BlockReader, type MediaOptions } from "./IOMedia.ts";
export { IOMediaBSDClient } from "./IOMediaBSDClient.ts";
export { IOBlockStorageDevice, IOBlockStorageDriver, IOGUIDPartitionScheme } from "./IOBlockStorageDriver.ts";
export { AppleVirtualNVMeController, AppleVirtualBlockStorageDevice } from "./AppleVirtualNVMeController.ts";
