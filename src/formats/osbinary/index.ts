/**
 * The kernel's binary serialization (`OSSerializeBinary` / `OSUnserializeBinary`), the format
 * IOKit uses for properties crossing between user space and the kernel.
 */
export { OSBinarySyntaxError } from "./OSBinarySyntaxError.ts";
export { unserializeBinary, isOSBinary } from "./unserializeBinary.ts";
export { serializeBinary, realFromBits } from "./serializeBinary.ts";
export * from "./constants.ts";
