/**
 * The error currency of iokit-ts.
 *
 * - `IOReturnError` carries an Apple IOReturn code and crosses IPC as `{ret, message}`.
 * - `OSKextError` adds the kext's bundle identifier to a `kOSKextReturn*` code.
 * - `BugError` marks a broken invariant; it is caught only at the top level.
 *
 * `name` always holds the class name so that errors rebuilt from IPC, where `instanceof` does not
 * work across processes, still identify themselves.
 */
import { formatIOReturn, ioReturnName, type IOReturn } from "./IOReturn.ts";

/** An operation failed with an Apple IOReturn code. */
export class IOReturnError extends Error {
  readonly code: IOReturn;

  constructor(code: IOReturn, message: string, options?: { cause?: unknown }) {
    super(`${message} (${ioReturnName(code) ?? formatIOReturn(code)})`, options);
    this.name = "IOReturnError";
    this.code = code >>> 0;
  }
}

/** A kext operation failed with a `kOSKextReturn*` code. */
export class OSKextError extends IOReturnError {
  readonly bundleId: string | undefined;

  constructor(code: IOReturn, message: string, bundleId?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "OSKextError";
    this.bundleId = bundleId;
  }
}

/** A broken invariant: a bug in iokit-ts, never the user's input. */
export class BugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BugError";
  }
}

/** Throws a {@link BugError} when `condition` is false. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new BugError(message);
}

/** True for errors a tool may print as one line: anything thrown for bad input, not a bug. */
export function isUserFacingError(e: unknown): e is Error {
  return e instanceof Error && !(e instanceof BugError) && !(e instanceof RangeError && /call stack/i.test(e.message));
}
