/**
 * The reader every machine-description check goes through: typed getters on one dictionary that
 * throw {@link MachineDescriptionError} naming the device path and key.
 */
import { OSNumber, isOSArray, isOSDictionary, type OSDictionary, type OSValue } from "../../libkern/index.ts";

/** A machine description that is wrong: names the device and the key. */
export class MachineDescriptionError extends Error {
  readonly device: string;
  readonly key: string | undefined;
  constructor(device: string, key: string | undefined, detail: string) {
    super(`machine description: ${device}${key !== undefined ? `: key '${key}'` : ""}: ${detail}`);
    this.name = "MachineDescriptionError";
    this.device = device;
    this.key = key;
  }
}

/** Hardware models the machine loader knows. */
export const PCI_MODELS = ["uart16550", "xhci", "nvme-ramdisk", "ethernet-loopback", "sample"] as const;
export const USB_MODELS = ["keyboard", "trackpad", "mouse", "cdc-acm"] as const;
const FAULTS = ["stuck-interrupt", "short-transfer", "dma-above-mask"];

/** Typed access to one dictionary of the description, errors naming `device`. */
export class Node {
  readonly device: string;
  readonly dict: OSDictionary;
  constructor(device: string, value: OSValue | undefined, key?: string) {
    this.device = device;
    if (!isOSDictionary(value)) throw new MachineDescriptionError(device, key, `expected a dictionary, got ${describe(value)}`);
    this.dict = value;
  }
  fail(key: string | undefined, detail: string): never {
    throw new MachineDescriptionError(this.device, key, detail);
  }
  int(key: string, min: number, max: number, fallback?: number): number {
    const v = this.dict.get(key);
    if (v === undefined) {
      if (fallback !== undefined) return fallback;
      this.fail(key, "missing");
    }
    if (!(v instanceof OSNumber)) this.fail(key, `expected an integer, got ${describe(v)}`);
    if (v.value < BigInt(min) || v.value > BigInt(max)) this.fail(key, `${v.value} is out of range ${min}…${max}`);
    return Number(v.value);
  }
  str(key: string): string;
  str(key: string, optional: true): string | undefined;
  str(key: string, optional = false): string | undefined {
    const v = this.dict.get(key);
    if (v === undefined && optional) return undefined;
    if (typeof v !== "string") this.fail(key, v === undefined ? "missing" : `expected a string, got ${describe(v)}`);
    return v;
  }
  oneOf<T extends string>(key: string, values: readonly T[], optional: boolean): T | undefined {
    const v = this.str(key, true);
    if (v === undefined) return optional ? undefined : this.fail(key, "missing");
    if (!(values as readonly string[]).includes(v)) this.fail(key, `'${v}' is not one of ${values.join(", ")}`);
    return v as T;
  }
  data(key: string): Uint8Array | undefined {
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (!(v instanceof Uint8Array)) this.fail(key, `expected data, got ${describe(v)}`);
    return v;
  }
  array(key: string): OSValue[] {
    const v = this.dict.get(key);
    if (v === undefined) return [];
    if (!isOSArray(v)) this.fail(key, `expected an array, got ${describe(v)}`);
    return v;
  }
  faults(): Set<string> {
    const out = new Set<string>();
    for (const f of this.array("faults")) {
      if (typeof f !== "string" || !FAULTS.includes(f)) this.fail("faults", `unknown fault ${describe(f)} (known: ${FAULTS.join(", ")})`);
      out.add(f);
    }
    return out;
  }
}

function describe(v: OSValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v instanceof OSNumber) return `integer ${v.value}`;
  if (typeof v === "string") return `string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === "boolean") return "a boolean";
  if (v instanceof Uint8Array) return "data";
  if (isOSArray(v)) return "an array";
  if (isOSDictionary(v)) return "a dictionary";
  return "a value of another type";
}

