/**
 * libkern's object model for the kernel: OSObject reference counts and OSMetaClass run-time types
 * with Apple's instance-count semantics.
 */
export { OSMetaClass, type OSClassConstructor } from "./OSMetaClass.ts";
export { OSObject, OSDynamicCast, withReleased } from "./OSObject.ts";
