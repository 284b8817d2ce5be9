/**
 * The kernel↔user ABI: three message shapes, each one wire array.
 *
 * - request `[1, id, op, args]` — a call of the kernel routine `op` (the MIG routine's name, e.g.
 *   `io_connect_method`) with positional arguments;
 * - reply `[2, id, ret, message, result]` — `ret` is the IOReturn (0 on success), `message` the
 *   error text or null, `result` the routine's output;
 * - event `[3, port, payload]` — an unsolicited message to a notification port the client owns
 *   (matching and interest notifications, async completions).
 *
 * Errors travel as `{ret, message}` and are rebuilt into an {@link IOReturnError} on the user side,
 * so a kernel-side `kIOReturnBadArgument` reaches the caller as the same code.
 */
import { IOReturnError, kIOReturnIPCError, kIOReturnSuccess, type IOReturn } from "../base/index.ts";
import type { WireValue } from "./WireCodec.ts";

export const kMsgRequest = 1;
export const kMsgReply = 2;
export const kMsgEvent = 3;

/** A decoded request. */
export interface IPCRequest {
  readonly id: number;
  readonly op: string;
  readonly args: readonly WireValue[];
}

/** A reply before encoding. */
export interface IPCReply {
  readonly ret: IOReturn;
  readonly message: string | null;
  readonly result: WireValue;
}

/** Builds the wire array of a request. */
export const requestMessage = (id: number, op: string, args: readonly WireValue[]): WireValue => [kMsgRequest, id, op, args as WireValue[]];

/** Builds the wire array of a reply. */
export const replyMessage = (id: number, reply: IPCReply): WireValue => [kMsgReply, id, reply.ret, reply.message, reply.result];

/** Builds the wire array of an event. */
export const eventMessage = (port: number, payload: WireValue): WireValue => [kMsgEvent, port, payload];

/** A successful reply. */
export const okReply = (result: WireValue = null): IPCReply => ({ ret: kIOReturnSuccess, message: null, result });

/** The reply for a thrown error: IOReturnErrors keep their code; anything else is `fallback`. */
export function errorReply(e: unknown, fallback: IOReturn): IPCReply {
  if (e instanceof IOReturnError) return { ret: e.code, message: e.message, result: null };
  return { ret: fallback, message: e instanceof Error ? e.message : String(e), result: null };
}

/** Parses a request; undefined when the frame is not a well-formed request. */
export function parseRequest(v: WireValue): IPCRequest | undefined {
  if (!Array.isArray(v) || v.length !== 4 || v[0] !== kMsgRequest) return undefined;
  const [, id, op, args] = v;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || typeof op !== "string" || !Array.isArray(args)) return undefined;
  return { id, op, args };
}

/** A parsed reply or event, as the client sees it. */
export type IPCIncoming =
  | { readonly kind: "reply"; readonly id: number; readonly reply: IPCReply }
  | { readonly kind: "event"; readonly port: number; readonly payload: WireValue };

/** Parses what the kernel sent; undefined when malformed. */
export function parseIncoming(v: WireValue): IPCIncoming | undefined {
  if (!Array.isArray(v)) return undefined;
  if (v[0] === kMsgReply && v.length === 5 && typeof v[1] === "number" && typeof v[2] === "number") {
    const message = typeof v[3] === "string" ? v[3] : null;
    return { kind: "reply", id: v[1], reply: { ret: v[2], message, result: v[4] ?? null } };
  }
  if (v[0] === kMsgEvent && v.length === 3 && typeof v[1] === "number") return { kind: "event", port: v[1], payload: v[2] ?? null };
  return undefined;
}

/** The result of a reply, or the IOReturnError it carries. */
export function unwrapReply(op: string, reply: IPCReply): WireValue {
  if (reply.ret === kIOReturnSuccess) return reply.result;
  throw replyError(op, reply);
}

/** The IOReturnError a failed reply carries. */
export const replyError = (op: string, reply: IPCReply): IOReturnError => new IOReturnError(reply.ret >>> 0, reply.message ?? `${op} failed`);

/** The error a transport raises when its connection is gone. */
export const connectionLost = (what: string): IOReturnError => new IOReturnError(kIOReturnIPCError, `${what}: connection to the kernel lost`);
