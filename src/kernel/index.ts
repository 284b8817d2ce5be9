/**
 * kernel (L2): the I/O Kit runtime. Each subsystem folder has its own index.ts, re-exported here.
 */
export * from "./catalogue/index.ts";
