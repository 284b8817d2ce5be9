/**
 * How IOKitLib reaches a kernel: an in-process kernel (the embedded transport, no encoding) or a
 * daemon over a Unix domain socket (frames of wire values). Both deliver the same replies, so the
 * client library and its conformance suite do not know which one they use.
 */
import type { WireValue } from "./WireCodec.ts";

/** A connection to a kernel. */
export interface Transport {
  /** Calls kernel routine `op`; resolves with its result or rejects with an IOReturnError. */
  call(op: string, args: readonly WireValue[]): Promise<WireValue>;
  /** Receives events sent to this connection's notification ports. */
  onEvent(handler: (port: number, payload: WireValue) => void): void;
  /** Closes the connection; the kernel then releases everything the connection held. */
  close(): void;
  /** Whether values cross a process boundary (then shared memory is emulated with copies). */
  readonly remote: boolean;
}
