/**
 * The IOService lifecycle: services and drivers, matching on the scheduler, notifications,
 * termination, open/close arbitration, and the kernel that ties them together (IOKernel).
 */
export {
  IOService, bindServiceRuntime, type IOServiceClass, type ServiceNotificationHandler, type IONotifierHandle, type InterestHandler, type ServiceRuntime,
  type TerminationState,
} from "./IOService.ts";
export {
  IOPlatformExpertDevice, IOResources, IOUserResources, ResourcesService, isResourcesService, nameMatching, propertyMatching, registryEntryIDMatching,
  resourceMatching, serviceMatching,
} from "./IOResources.ts";
export { IOKernel, type IOKernelOptions } from "./IOKernel.ts";
export { IONotifier, NotificationCenter, type MatchingNotificationHandler } from "./IONotifier.ts";
export { IOLogRing, type IOLogLine } from "./IOLogRing.ts";
export { IOInterruptLines } from "./IOInterruptLines.ts";
export { ArbitrationLocks, IOThread, kIOKernelThread } from "./IOArbitration.ts";
export { ServiceMatcher, type KextLoader, type MatcherHost } from "./ServiceMatcher.ts";
export { nubOf, serviceOf } from "./serviceNub.ts";
export * from "./serviceConstants.ts";
