/**
 * Small builders shared by the catalogue's tests and benchmarks: a class hierarchy with the usual
 * nub classes, and nubs made from object literals.
 */
import { dict, num, type OSValue } from "../../libkern/index.ts";
import { ClassHierarchy } from "./ClassHierarchy.ts";
import { StaticNub } from "./StaticNub.ts";

/** A hierarchy with the classes the tests use (a subset of Apple's). */
export function testHierarchy(): ClassHierarchy {
  return new ClassHierarchy([
    ["IOService", "IORegistryEntry"], ["IOResources", "IOService"], ["IOPCIDevice", "IOService"], ["IOAGPDevice", "IOPCIDevice"],
    ["IOPlatformDevice", "IOService"], ["IOACPIPlatformDevice", "IOPlatformDevice"], ["IOUSBNub", "IOService"],
    ["IOUSBDevice", "IOUSBNub"], ["IOUSBInterface", "IOUSBNub"], ["IOHIDDevice", "IOService"], ["IOHIDInterface", "IOService"],
    ["IOStorage", "IOService"], ["IOMedia", "IOStorage"], ["IOPlatformExpertDevice", "IOService"],
  ]);
}

/** A nub from a literal: numbers become 64-bit OSNumbers. */
export function nub(className: string, props: Record<string, OSValue | number> = {}, extra: Partial<ConstructorParameters<typeof StaticNub>[0]> = {}): StaticNub {
  const p = dict(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, typeof v === "number" ? num(v) : v])));
  return new StaticNub({ className, properties: p, hierarchy: testHierarchy(), ...extra });
}

/** A personality from a literal: numbers become 32-bit OSNumbers. */
export function personality(props: Record<string, OSValue | number>): Map<string, OSValue> {
  return dict(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, typeof v === "number" ? num(v, 32) : v])));
}

/** Little-endian 32-bit data, as IOPCIFamily publishes IDs. */
export { le32 as le } from "./testDump.ts";
