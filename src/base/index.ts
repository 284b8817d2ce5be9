/**
 * base (L0): IOReturn codes, the error currency, assertions and resource stacks. Depends on nothing.
 */
export * from "./IOReturn.ts";
export * from "./errors.ts";
export { ResourceStack } from "./ResourceStack.ts";
export { ByteBuffer } from "./ByteBuffer.ts";
