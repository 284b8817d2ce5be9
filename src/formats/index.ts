/** Pure codecs on bytes and text. */
export * from "./demangle/index.ts";
