/**
 * formats (L1): pure codecs on bytes and strings. No I/O; parse errors are `SyntaxError`s with a
 * position. Each format lives in its own subfolder with its own index.
 */
export * from "./plist/index.ts";
export * from "./openstep/index.ts";
export * from "./iokitxml/index.ts";
export * from "./osbinary/index.ts";
export * from "./archiver/index.ts";
export * from "./anyplist/index.ts";
/** Pure codecs on bytes and text. */
export * from "./ioreg/index.ts";
export * from "./demangle/index.ts";
export * from "./macho/index.ts";
