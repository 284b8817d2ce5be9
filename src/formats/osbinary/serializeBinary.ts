/**
 * Writer for the kernel's binary serialization (`OSSerialize::binarySerialize`).
 *
 * Layout: the signature word 0x000000d3, then one entry per object in depth-first order. The root
 * entry carries the end bit; in each collection the last element's entry carries it (for a
 * dictionary, the last value's). Dictionary keys are symbols with their NUL counted in the length.
 * Every object written is appended to a table; writing the same object again emits
 * `kOSSerializeObject | index` instead. As in the kernel, booleans are singletons and equal keys
 * are one symbol, so repeats of either become references; other strings are written each time
 * (JavaScript strings have no identity), and numbers, data and collections repeat by identity.
 *
 * A real has no entry type of its own: it is written as a number entry holding its IEEE-754 bit
 * pattern (64 bits for a double, 32 for a float), which is how a kernel OSNumber built from a
 * double carries it. Reading gives that integer back; {@link realFromBits} recovers the value.
 */
import { ByteBuffer } from "../../base/index.ts";
import { kindOf, OSNumber, OSReal, type OSValue } from "../../libkern/index.ts";
import * as C from "./constants.ts";

// Module-local copies: re-exported bindings can be accessors, and these sit in hot loops.
const kOSSerializeArray = C.kOSSerializeArray;
const kOSSerializeBoolean = C.kOSSerializeBoolean;
const kOSSerializeData = C.kOSSerializeData;
const kOSSerializeDataMask = C.kOSSerializeDataMask;
const kOSSerializeDictionary = C.kOSSerializeDictionary;
const kOSSerializeEndCollection = C.kOSSerializeEndCollection;
const kOSSerializeNumber = C.kOSSerializeNumber;
const kOSSerializeObject = C.kOSSerializeObject;
const kOSSerializeSet = C.kOSSerializeSet;
const kOSSerializeString = C.kOSSerializeString;
const kOSSerializeSymbol = C.kOSSerializeSymbol;

const encoder = new TextEncoder();

class Buffer extends ByteBuffer {
  constructor() {
    super(4096);
  }

  word(w: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, w >>> 0, true);
    this.length += 4;
  }

  payload(b: Uint8Array): void {
    const padded = (b.length + 3) & ~3;
    this.reserve(padded);
    this.bytes.set(b, this.length);
    this.bytes.fill(0, this.length + b.length, this.length + padded);
    this.length += padded;
  }
}

function checkLength(n: number, what: string): number {
  if (n > kOSSerializeDataMask) throw new TypeError(`Cannot serialize ${what} of length ${n}: the binary format holds at most ${kOSSerializeDataMask}`);
  return n;
}

/** Reinterprets a number read from a real's entry as the real it encodes (32- or 64-bit IEEE-754). */
export function realFromBits(n: OSNumber): OSReal {
  const view = new DataView(new ArrayBuffer(8));
  if (n.bits === 32) {
    view.setUint32(0, n.uint32());
    return new OSReal(view.getFloat32(0), 32);
  }
  view.setBigUint64(0, BigInt.asUintN(64, n.value));
  return new OSReal(view.getFloat64(0), 64);
}

/**
 * Serializes `value` in the kernel's binary format.
 * @throws {TypeError} for dates, UIDs, integers wider than 64 bits, over-long payloads, or a cycle.
 */
export function serializeBinary(value: OSValue): Uint8Array {
  const out = new Buffer();
  out.word(0xd3);
  const table = new Map<unknown, number>();
  let count = 0;
  const open = new Set<OSValue>();
  type Item = { v: OSValue; last: boolean; symbol?: boolean } | { close: OSValue };
  const stack: Item[] = [{ v: value, last: true }];

  const entry = (identity: unknown, key: number, last: boolean, body?: Uint8Array): void => {
    if (identity !== undefined) table.set(identity, count);
    count++;
    out.word((key | (last ? kOSSerializeEndCollection : 0)) >>> 0);
    if (body) out.payload(body);
  };

  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if ("close" in item) { open.delete(item.close); continue; }
    const { v, last } = item;
    if (open.has(v)) throw new TypeError("Cannot serialize a cycle in the kernel binary format");
    const identity = item.symbol ? `sym:${v as string}` : typeof v === "boolean" ? `bool:${v}` : typeof v === "string" ? undefined : v;
    const ref = identity === undefined ? undefined : table.get(identity);
    if (ref !== undefined) {
      out.word((kOSSerializeObject | ref | (last ? kOSSerializeEndCollection : 0)) >>> 0);
      continue;
    }
    const kind = kindOf(v);
    switch (kind) {
      case "string": {
        const bytes = encoder.encode(v as string);
        if (item.symbol) {
          const withNul = new Uint8Array(bytes.length + 1);
          withNul.set(bytes);
          entry(identity, kOSSerializeSymbol | checkLength(withNul.length, "a key"), last, withNul);
        } else {
          entry(identity, kOSSerializeString | checkLength(bytes.length, "a string"), last, bytes);
        }
        break;
      }
      case "boolean":
        entry(identity, kOSSerializeBoolean | (v ? 1 : 0), last);
        break;
      case "integer":
      case "real": {
        let bits: number;
        let raw: bigint;
        if (v instanceof OSReal) {
          bits = v.bits === 32 ? 32 : 64;
          const view = new DataView(new ArrayBuffer(8));
          if (bits === 32) { view.setFloat32(0, v.value); raw = BigInt(view.getUint32(0)); }
          else { view.setFloat64(0, v.value); raw = view.getBigUint64(0); }
        } else {
          const n = v as OSNumber;
          if (![8, 16, 32, 64].includes(n.bits)) throw new TypeError(`Cannot serialize a ${n.bits}-bit integer in the kernel binary format (8, 16, 32 or 64)`);
          bits = n.bits;
          raw = BigInt.asUintN(bits, n.value);
        }
        const body = new Uint8Array(8);
        new DataView(body.buffer).setBigUint64(0, raw, true);
        entry(identity, kOSSerializeNumber | bits, last, body);
        break;
      }
      case "data":
        entry(identity, kOSSerializeData | checkLength((v as Uint8Array).length, "data"), last, v as Uint8Array);
        break;
      case "dict": case "array": case "set": {
        const type = kind === "dict" ? kOSSerializeDictionary : kind === "array" ? kOSSerializeArray : kOSSerializeSet;
        const members: Item[] = [];
        if (v instanceof Map) {
          let i = 0;
          for (const [k, e] of v) {
            i++;
            members.push({ v: k, last: false, symbol: true }, { v: e, last: i === v.size });
          }
        } else {
          const list = Array.isArray(v) ? v : [...(v as Set<OSValue>)];
          list.forEach((e, i) => members.push({ v: e, last: i === list.length - 1 }));
        }
        entry(identity, type | checkLength(kind === "dict" ? (v as Map<string, OSValue>).size : members.length, "a collection"), last);
        open.add(v);
        stack.push({ close: v });
        for (let i = members.length - 1; i >= 0; i--) stack.push(members[i] as Item);
        break;
      }
      default:
        throw new TypeError(`Cannot serialize ${kind} in the kernel binary format`);
    }
  }
  return out.bytes.slice(0, out.length);
}
