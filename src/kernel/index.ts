/**
 * kernel (L2): the emulated kernel. For now the I/O Registry; the runtime (IOService lifecycle,
 * catalogue, matching, work loops, power) joins it here.
 */
export * from "./registry/index.ts";
export * from "./catalogue/index.ts";
