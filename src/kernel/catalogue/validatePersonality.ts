/**
 * Validation of one personality before it enters the catalogue, and the lints that name the
 * mistakes kext and dext authors make most (the forum threads in the seeds).
 *
 * A wrong-typed key never throws and never affects other personalities: it yields a
 * {@link PersonalityDiagnostic} naming the kext, the personality and the key, and matching then
 * treats the key as Apple's code would (a non-number `IOProbeScore` reads as 0, a malformed
 * `IOPCIMatch` stops at the first bad token, a non-string `IOProviderClass` drops the personality).
 */
import { OSNumber, isOSArray, isOSDictionary, isOSSet, kindOf, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import {
  kCFBundleIdentifierKey, kIOClassKey, kIOLocationMatchKey, kIOMatchCategoryKey, kIONameMatchKey, kIOParentMatchKey,
  kIOPathMatchKey, kIOProbeScoreKey, kIOPropertyExistsMatchKey, kIOPropertyMatchKey, kIOProviderClassKey,
  kIOResourceMatchKey, kIOUserClassKey, kIOUserServerNameKey,
} from "./keys.ts";
import { parsePCIMatch } from "./pciMatch.ts";

export type DiagnosticSeverity = "error" | "warning" | "note";

export interface PersonalityDiagnostic {
  readonly severity: DiagnosticSeverity;
  /** `CFBundleIdentifier` of the kext, when known. */
  readonly bundle: string | undefined;
  /** The personality's name (its key in `IOKitPersonalities`), when known. */
  readonly personality: string | undefined;
  /** The key at fault. */
  readonly key: string;
  /** A stable code for tools and tests, e.g. `wrong-type`, `category-beside-system-driver`. */
  readonly code: string;
  readonly message: string;
}

/** `kext 'com.x.y' personality 'Foo': key IOPCIMatch: …` */
export function formatDiagnostic(d: PersonalityDiagnostic): string {
  const who = [d.bundle !== undefined ? `kext '${d.bundle}'` : "", d.personality !== undefined ? `personality '${d.personality}'` : ""].filter(Boolean).join(" ");
  return `${d.severity}: ${who ? `${who}: ` : ""}${d.key}: ${d.message}`;
}

const isStringish = (v: OSValue): boolean =>
  typeof v === "string" || ((isOSArray(v) || isOSSet(v)) && [...v].every((x) => typeof x === "string"));

const NUMBER_KEYS = [
  kIOProbeScoreKey, "IOKitDebug", "idVendor", "idProduct", "bcdDevice", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol",
  "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol", "bConfigurationValue", "bInterfaceNumber", "idProductMask",
  "VendorID", "ProductID", "PrimaryUsagePage", "PrimaryUsage", "LocationID", "DeviceUsagePage", "DeviceUsage", "ProductIDMask",
];
/** USB keys that accept the wildcard string "*". */
const WILDCARD_KEYS = new Set(["idVendor", "idProduct", "bcdDevice", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol",
  "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol", "bConfigurationValue", "bInterfaceNumber", "ProductID"]);
const PCI_KEYS: readonly [string, number][] = [["IOPCIMatch", 0xffffffff], ["IOPCIPrimaryMatch", 0xffffffff], ["IOPCISecondaryMatch", 0xffffffff], ["IOPCIClassMatch", 0xffffff00]];

/**
 * Checks the types and syntax of a personality's keys. `context` names the kext and personality in
 * the diagnostics (the personality's own `CFBundleIdentifier` is used when the kext's is unknown).
 */
export function validatePersonality(table: OSValue, context: { bundle?: string; personality?: string } = {}): PersonalityDiagnostic[] {
  const out: PersonalityDiagnostic[] = [];
  const bundle = context.bundle ?? (isOSDictionary(table) && typeof table.get(kCFBundleIdentifierKey) === "string" ? (table.get(kCFBundleIdentifierKey) as string) : undefined);
  const d = (severity: DiagnosticSeverity, key: string, code: string, message: string): void => {
    out.push({ severity, bundle, personality: context.personality, key, code, message });
  };
  if (!isOSDictionary(table)) {
    d("error", "(personality)", "not-a-dictionary", `a personality must be a dictionary, found ${kindOf(table)}`);
    return out;
  }
  const t = table;
  const kind = (k: string): string => kindOf(t.get(k) as OSValue);
  const pc = t.get(kIOProviderClassKey);
  if (pc === undefined) d("error", kIOProviderClassKey, "missing-key", "missing: the catalogue drops a personality without a string IOProviderClass");
  else if (typeof pc !== "string") d("error", kIOProviderClassKey, "wrong-type", `must be a string, found ${kind(kIOProviderClassKey)}: the catalogue drops this personality`);
  const cls = t.get(kIOClassKey);
  if (cls === undefined) d("warning", kIOClassKey, "missing-key", `missing: the kernel logs 'Missing or bad "IOClass" key' and no driver can be created`);
  else if (typeof cls !== "string") d("error", kIOClassKey, "wrong-type", `must be a string, found ${kind(kIOClassKey)}`);
  for (const k of [kIOMatchCategoryKey, kIOPathMatchKey, kCFBundleIdentifierKey, kIOUserClassKey, kIOUserServerNameKey]) {
    if (t.has(k) && typeof t.get(k) !== "string") d("error", k, "wrong-type", `must be a string, found ${kind(k)}`);
  }
  for (const k of NUMBER_KEYS) {
    const v = t.get(k);
    if (v === undefined || v instanceof OSNumber || (v === "*" && WILDCARD_KEYS.has(k))) continue;
    d("error", k, "wrong-type", `must be a number, found ${kindOf(v)}${typeof v === "string" ? ` "${v}"` : ""}${k === kIOProbeScoreKey ? ": the score counts as 0" : ": this key can never match"}`);
  }
  for (const k of [kIONameMatchKey, kIOPropertyExistsMatchKey]) {
    if (t.has(k) && !isStringish(t.get(k) as OSValue)) d("error", k, "wrong-type", `must be a string or an array of strings, found ${kind(k)}`);
  }
  const rm = t.get(kIOResourceMatchKey);
  if (rm !== undefined && !isStringish(rm) && !isOSDictionary(rm)) d("error", kIOResourceMatchKey, "wrong-type", `must be a string, an array of strings or a matching dictionary, found ${kindOf(rm)}`);
  const pm = t.get(kIOPropertyMatchKey);
  if (pm !== undefined && !isOSDictionary(pm) && !((isOSArray(pm) || isOSSet(pm)) && [...pm].every(isOSDictionary))) {
    d("error", kIOPropertyMatchKey, "wrong-type", `must be a dictionary or an array of dictionaries, found ${kindOf(pm)}`);
  }
  const par = t.get(kIOParentMatchKey);
  if (par !== undefined && !isOSDictionary(par)) d("error", kIOParentMatchKey, "wrong-type", `must be a matching dictionary, found ${kindOf(par)}`);
  const loc = t.get(kIOLocationMatchKey);
  if (loc !== undefined && typeof loc !== "string" && !isOSDictionary(loc)) d("error", kIOLocationMatchKey, "wrong-type", `must be a string or a dictionary, found ${kindOf(loc)}`);
  for (const [k, mask] of PCI_KEYS) {
    const v = t.get(k);
    if (v === undefined) continue;
    if (typeof v !== "string") { d("error", k, "wrong-type", `must be a string of hex VALUE[&MASK] items, found ${kindOf(v)}`); continue; }
    const p = parsePCIMatch(v, mask);
    if (p.stoppedAt !== undefined) {
      d("error", k, "malformed-pci-match", `"${v}" is not a list of hex VALUE[&MASK] items: reading stops at offset ${p.stoppedAt.offset} ("${p.stoppedAt.text.slice(0, 20)}"), so ${p.items.length === 0 ? "nothing can match" : `only the first ${p.items.length} item(s) count`}`);
    } else if (p.items.length === 0) {
      d("error", k, "malformed-pci-match", "is empty: nothing can match");
    }
  }
  for (const k of [kIOClassKey, kIOProviderClassKey, kCFBundleIdentifierKey, kIOMatchCategoryKey, kIONameMatchKey]) {
    const v = t.get(k);
    const m = typeof v === "string" ? /\$\(([A-Za-z0-9_:]+)\)/.exec(v) : null;
    if (m !== null) {
      d("warning", k, "unexpanded-build-setting", `"${v as string}" holds the Xcode build setting $(${m[1]}), unexpanded: this is a source Info.plist, not the one in the built kext, and matching compares the text literally`);
    }
  }
  const arr = t.get("idProductArray");
  if (arr !== undefined && !(isOSArray(arr) && arr.every((x) => x instanceof OSNumber))) d("error", "idProductArray", "wrong-type", "must be an array of numbers");
  out.push(...lintPersonality(t, bundle, context.personality));
  return out;
}

/** Providers whose DriverKit families route everything through the provider, so IOUserService is right. */
const GENERIC_DEXT_PROVIDERS = new Set(["IOPCIDevice", "IOUSBHostDevice", "IOUSBHostInterface", "IOUserResources", "IOResources", "IOService"]);
/** Names that betray a DriverKit family with its own kernel class (SCSI, networking, HID, serial, audio). */
const FAMILY_HINT = /SCSI|Ethernet|Network|HID|Serial|Audio|BlockStorage/i;

/** The seeds' mistakes, as notes and warnings. */
export function lintPersonality(t: OSDictionary, bundle: string | undefined, personality: string | undefined): PersonalityDiagnostic[] {
  const out: PersonalityDiagnostic[] = [];
  const d = (severity: DiagnosticSeverity, key: string, code: string, message: string): void => {
    out.push({ severity, bundle, personality, key, code, message });
  };
  const provider = t.get(kIOProviderClassKey);
  const category = t.get(kIOMatchCategoryKey);
  const ioClass = t.get(kIOClassKey);
  const isDext = t.has(kIOUserServerNameKey) || t.has(kIOUserClassKey);
  if ((provider === "IOResources" || provider === "IOUserResources") && category === undefined) {
    d("warning", kIOMatchCategoryKey, "resources-default-category",
      `personality on ${provider} without IOMatchCategory blocks every other default-category ${provider} driver (it takes ${provider}' only default-category slot); give it a private category, e.g. its IOClass`);
  }
  if (typeof category === "string" && category !== "IODefaultMatchCategory" && provider !== "IOResources" && provider !== "IOUserResources" && provider !== "IOService") {
    d("note", kIOMatchCategoryKey, "category-beside-system-driver",
      `IOMatchCategory '${category}' set: this driver will load beside the system driver instead of replacing it (the system driver, in the default category, still matches and may open the provider first)`);
  }
  const userClass = t.get(kIOUserClassKey);
  const hinted = [userClass, personality].some((x) => typeof x === "string" && FAMILY_HINT.test(x));
  if (isDext && ioClass === "IOUserService" && typeof provider === "string" && (hinted || !GENERIC_DEXT_PROVIDERS.has(provider))) {
    d("warning", kIOClassKey, "dext-template-ioclass",
      `IOClass is IOUserService: a family-specific class was left as the template default (${typeof userClass === "string" ? `${userClass} ` : ""}on ${provider} needs its family's kernel class, e.g. IOUserSCSIParallelInterfaceController; otherwise the kernel methods it calls are missing and return kIOReturnUnsupported)`);
  }
  return out;
}
