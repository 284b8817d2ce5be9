/**
 * formats (L1): pure codecs on bytes and text. Each format lives in its own subfolder with its own index.
 */
export * from "./demangle/index.ts";
export * from "./macho/index.ts";
