export { IONetworkController, IOEthernetController, IOEthernetInterface, kIONetworkingFamilyBundleID } from "./IOEthernetController.ts";
export { AppleVirtualLoopbackEthernet } from "./AppleVirtualLoopbackEthernet.ts";
