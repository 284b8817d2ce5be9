/**
 * formats (L1): pure codecs on bytes. Each format lives in its own subfolder with its own index.
 */
export * from "./macho/index.ts";
