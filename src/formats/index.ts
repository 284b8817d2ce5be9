/**
 * formats (L1): pure codecs, bytes or text in, values out and back. No I/O.
 */
export * from "./ioreg/index.ts";
