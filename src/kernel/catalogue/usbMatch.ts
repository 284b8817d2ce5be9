/**
 * USB family matching after the USB Common Class Specification model (legacy IOUSBFamily
 * `IOUSBDevice::matchPropertyTable` / `IOUSBInterface::matchPropertyTable`), spec §1.4. The same
 * ladder serves IOUSBHostFamily's `IOUSBHostDevice` / `IOUSBHostInterface` nubs.
 *
 * A key *matches* only if the personality has it and it equals the nub's property; a personality
 * value `"*"` that does not otherwise match is a wildcard match and costs 1000. `idProductArray`
 * offers alternatives for `idProduct`; `idProductMask` is tried only when neither matched and costs
 * 500. The first rule of the ladder that holds gives the base score; the personality's own
 * `IOProbeScore` is added (clamped to 9000 when >= 10000) only for a non-zero base.
 */
import { OSNumber, isOSArray, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { isEqualTo } from "./isEqualTo.ts";
import type { FamilyMatcher } from "./FamilyMatcher.ts";
import { fail, type FamilyResult } from "./MatchFailure.ts";
import type { MatchNub } from "./MatchNub.ts";

interface KeyState {
  readonly present: boolean;
  readonly matches: boolean;
  readonly wildcard: boolean;
}

const num = (v: OSValue | undefined): bigint | undefined => (v instanceof OSNumber ? v.value : undefined);

// Shared states: matching runs for every personality of every nub, so no object per key.
const ABSENT: KeyState = Object.freeze({ present: false, matches: false, wildcard: false });
const MATCHES: KeyState = Object.freeze({ present: true, matches: true, wildcard: false });
const WILDCARD: KeyState = Object.freeze({ present: true, matches: true, wildcard: true });
const DIFFERS: KeyState = Object.freeze({ present: true, matches: false, wildcard: false });

function keyState(table: OSDictionary, nub: MatchNub, key: string): KeyState {
  const want = table.get(key);
  if (want === undefined) return ABSENT;
  const have = nub.property(key);
  if (have !== undefined && isEqualTo(want, have)) return MATCHES;
  if (want === "*") return WILDCARD;
  return DIFFERS;
}

/** The class keys of a device (`bDevice…`) or an interface (`bInterface…`), and the failure order. */
const CLASS_KEYS = {
  bDevice: { cls: "bDeviceClass", sub: "bDeviceSubClass", proto: "bDeviceProtocol" },
  bInterface: { cls: "bInterfaceClass", sub: "bInterfaceSubClass", proto: "bInterfaceProtocol" },
} as const;
const FAILURE_ORDER = {
  bDevice: ["idVendor", "idProduct", "bcdDevice", "bConfigurationValue", "bInterfaceNumber", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol"],
  bInterface: ["idVendor", "idProduct", "bcdDevice", "bConfigurationValue", "bInterfaceNumber", "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol"],
} as const;

interface ProductState extends KeyState {
  readonly usedMask: boolean;
}

const PRODUCT_MATCHES: ProductState = Object.freeze({ ...MATCHES, usedMask: false });
const PRODUCT_WILDCARD: ProductState = Object.freeze({ ...WILDCARD, usedMask: false });

function productState(table: OSDictionary, nub: MatchNub): ProductState {
  const single = keyState(table, nub, "idProduct");
  const arr = table.get("idProductArray");
  const have = num(nub.property("idProduct"));
  const present = single.present || arr !== undefined;
  if (single.matches) return single.wildcard ? PRODUCT_WILDCARD : PRODUCT_MATCHES;
  if (isOSArray(arr) && have !== undefined && arr.some((e) => num(e) === have)) return { present, matches: true, wildcard: false, usedMask: false };
  const mask = num(table.get("idProductMask"));
  if (mask !== undefined && have !== undefined) {
    const cands: bigint[] = [];
    const p = num(table.get("idProduct"));
    if (p !== undefined) cands.push(p);
    if (isOSArray(arr)) for (const e of arr) { const n = num(e); if (n !== undefined) cands.push(n); }
    if (cands.some((c) => (c & mask) === (have & mask))) return { present, matches: true, wildcard: false, usedMask: true };
  }
  return { present, matches: false, wildcard: false, usedMask: false };
}

const okOrAbsent = (s: KeyState): boolean => !s.present || s.matches;

/** Clamp of the personality score the USB family applies before adding it. */
export function usbClampedScore(score: number): number {
  return score >= 10000 ? 9000 : score;
}

function ladder(table: OSDictionary, nub: MatchNub, score: number, iface: boolean): FamilyResult {
  const p = iface ? "bInterface" : "bDevice";
  const vendor = keyState(table, nub, "idVendor");
  const product = productState(table, nub);
  const release = keyState(table, nub, "bcdDevice");
  const keys = CLASS_KEYS[p];
  const cls = keyState(table, nub, keys.cls);
  const sub = keyState(table, nub, keys.sub);
  const proto = keyState(table, nub, keys.proto);
  const config = keyState(table, nub, "bConfigurationValue");
  const ifnum = keyState(table, nub, "bInterfaceNumber");
  const ifOK = !iface || (config.matches && ifnum.matches);
  const ifAbsent = !iface || (!config.present && !ifnum.present);
  const classesOK = okOrAbsent(cls) && okOrAbsent(sub) && okOrAbsent(proto);
  const w = (...ks: KeyState[]): number => ks.filter((k) => k.wildcard).length;

  let base = 0;
  let wild = 0;
  let rule = "";
  const vendorSpecific = num(nub.property(keys.cls)) === 0xffn;
  if (vendor.matches && product.matches && release.matches && classesOK && ifOK) {
    base = 100000; wild = w(vendor, product, release, cls, sub, proto, config, ifnum);
    rule = iface ? "idVendor+idProduct+bcdDevice+bConfigurationValue+bInterfaceNumber" : "idVendor+idProduct+bcdDevice";
  } else if (vendor.matches && product.matches && okOrAbsent(release) && classesOK && ifOK) {
    base = 90000; wild = w(vendor, product, release, cls, sub, proto, config, ifnum);
    rule = iface ? "idVendor+idProduct+bConfigurationValue+bInterfaceNumber" : "idVendor+idProduct";
  } else if (vendorSpecific) {
    if (vendor.matches && sub.matches && proto.matches && okOrAbsent(cls) && !release.present && !product.present && ifAbsent) {
      base = 80000; wild = w(vendor, sub, proto, cls); rule = `idVendor+${p}SubClass+${p}Protocol`;
    } else if (vendor.matches && sub.matches && okOrAbsent(cls) && !proto.present && !release.present && !product.present && ifAbsent) {
      base = 70000; wild = w(vendor, sub, cls); rule = `idVendor+${p}SubClass`;
    } else {
      return { ok: false, failure: fail(`${p}Class`, table.get(`${p}Class`), nub.property(`${p}Class`), `vendor-specific ${iface ? "interface" : "device"} (class 0xFF): only idVendor-based rules apply, and none holds`) };
    }
  } else if (cls.matches && sub.matches && proto.matches && !release.present && !vendor.present && !product.present && ifAbsent) {
    base = 60000; wild = w(cls, sub, proto); rule = `${p}Class+${p}SubClass+${p}Protocol`;
  } else if (cls.matches && sub.matches && !proto.present && !release.present && !vendor.present && !product.present && ifAbsent) {
    base = 50000; wild = w(cls, sub); rule = `${p}Class+${p}SubClass`;
  } else {
    return { ok: false, failure: firstUSBFailure(table, nub, iface) };
  }
  let s = base + usbClampedScore(score) - 1000 * wild - (product.usedMask ? 500 : 0);
  s = Number(BigInt.asIntN(32, BigInt(s)));
  const extras = [wild ? `-${1000 * wild} for ${wild} wildcard(s)` : "", product.usedMask ? "-500 for idProductMask" : ""].filter(Boolean).join(", ");
  return { ok: true, score: s, detail: `USB rule ${base} (${rule})${extras ? `, ${extras}` : ""}` };
}

/** For an explanation: the first key of the personality that is present and does not match. */
function firstUSBFailure(table: OSDictionary, nub: MatchNub, iface: boolean) {
  const p = iface ? "bInterface" : "bDevice";
  for (const k of FAILURE_ORDER[p]) {
    const s = k === "idProduct" ? productState(table, nub) : keyState(table, nub, k);
    if (s.present && !s.matches) return fail(k, table.get(k) ?? table.get("idProductArray"), nub.property(k));
  }
  return fail(`${p}Class`, undefined, undefined, "no rule of the USB matching ladder holds for this combination of keys");
}

// Divergence from XNU: IOUSBHostFamily's own matchPropertyTable is not public; its nubs use the
// legacy ladder, whose scores agree with what real dumps record.
export const usbDeviceFamily: FamilyMatcher = {
  name: "USB device",
  nubClasses: ["IOUSBDevice", "IOUSBHostDevice"],
  matchPropertyTable: (t, n, s) => ladder(t, n, s, false),
};

export const usbInterfaceFamily: FamilyMatcher = {
  name: "USB interface",
  nubClasses: ["IOUSBInterface", "IOUSBHostInterface"],
  matchPropertyTable: (t, n, s) => ladder(t, n, s, true),
};
