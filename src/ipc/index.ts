/**
 * ipc (L1): the kernel↔user ABI — the wire encoding of values, framing on a byte stream, the
 * request/reply/event messages, the kernel routine names and the Transport interface that IOKitLib
 * talks through.
 */
export * from "./WireCodec.ts";
export * from "./framing.ts";
export * from "./messages.ts";
export * from "./Transport.ts";
export * from "./routines.ts";
export * from "./snapshotWire.ts";
export * from "./errno.ts";
export * from "./disk.ts";
export type * from "./pmState.ts";
