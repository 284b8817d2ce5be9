/**
 * Typed access to a request's positional arguments. Every getter throws kIOReturnBadArgument on a
 * missing or mistyped argument, so a malformed but well-framed request gets an IOReturn back and
 * never reaches a driver.
 */
import { IOReturnError, kIOReturnBadArgument } from "../../base/index.ts";
import type { WireValue } from "../../ipc/index.ts";
import { isOSDictionary, type OSDictionary } from "../../libkern/index.ts";

export class RoutineArgs {
  readonly op: string;
  readonly values: readonly WireValue[];

  constructor(op: string, values: readonly WireValue[]) {
    this.op = op;
    this.values = values;
  }

  bad(i: number, what: string): never {
    throw new IOReturnError(kIOReturnBadArgument, `${this.op}: argument ${i} must be ${what}`);
  }

  /** An unsigned 32-bit integer. */
  u32(i: number): number {
    const v = this.values[i];
    if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
    if (typeof v === "bigint" && v >= 0n && v <= 0xffffffffn) return Number(v);
    return this.bad(i, "a 32-bit unsigned integer");
  }

  /** A signed integer (safe range). */
  int(i: number): number {
    const v = this.values[i];
    if (typeof v === "number" && Number.isSafeInteger(v)) return v;
    return this.bad(i, "an integer");
  }

  /** A number or null (null: none). */
  optNumber(i: number): number | null {
    const v = this.values[i];
    if (v === null || v === undefined) return null;
    if (typeof v === "number" && !Number.isNaN(v)) return v;
    return this.bad(i, "a number or null");
  }

  str(i: number): string {
    const v = this.values[i];
    return typeof v === "string" ? v : this.bad(i, "a string");
  }

  optStr(i: number): string | undefined {
    const v = this.values[i];
    if (v === null || v === undefined) return undefined;
    return typeof v === "string" ? v : this.bad(i, "a string or null");
  }

  bytes(i: number): Uint8Array {
    const v = this.values[i];
    return v instanceof Uint8Array ? v : this.bad(i, "data");
  }

  dict(i: number): OSDictionary {
    const v = this.values[i];
    return isOSDictionary(v) ? (v as OSDictionary) : this.bad(i, "a dictionary");
  }

  optDict(i: number): OSDictionary | undefined {
    const v = this.values[i];
    if (v === null || v === undefined) return undefined;
    return this.dict(i);
  }

  /** An array of 64-bit scalars (bigint or safe integer), at most `max`. */
  scalars(i: number, max: number): bigint[] {
    const v = this.values[i];
    if (!Array.isArray(v) || v.length > max) return this.bad(i, `an array of at most ${max} scalars`);
    return v.map((x) => {
      if (typeof x === "bigint" && x >= 0n && x < 1n << 64n) return x;
      if (typeof x === "bigint" && x >= -(1n << 63n) && x < 0n) return BigInt.asUintN(64, x);
      if (typeof x === "number" && Number.isSafeInteger(x)) return BigInt.asUintN(64, BigInt(x));
      return this.bad(i, "scalars");
    });
  }

  /** An array of strings. */
  strings(i: number): string[] {
    const v = this.values[i];
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) return this.bad(i, "an array of strings");
    return v as string[];
  }
}
