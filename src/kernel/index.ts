/**
 * kernel (L2): the I/O Kit runtime — scheduler, object model, work loops, registry, catalogue and the
 * IOService lifecycle. This file is the kernel's single public door: drivers, kext management, host
 * and tools import only from here.
 */
export * from "./scheduler/index.ts";
export * from "./object/index.ts";
export * from "./workloop/index.ts";
export * from "./registry/index.ts";
export * from "./catalogue/index.ts";
export * from "./service/index.ts";
// The catalogue exports the string constant IOService (a class name); the class wins here.
export { IOService } from "./service/index.ts";
export * from "./userclient/index.ts";
export * from "./power/index.ts";
export * from "./devfs/index.ts";
