/**
 * Fidelity: the default machine's registry beside real Macs' (`ioreg -l` dumps in the corpus). For
 * each family class, every property we publish that Apple's dumps also show must have the same
 * value kind (data, string, number, boolean, dictionary, array), the keys drivers and tools look
 * up must be present, and keys Apple never shows are only the ones listed in docs/divergences.md.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importIORegText } from "../formats/index.ts";
import { kindOf, type OSValue } from "../libkern/index.ts";
import { corpusFiles } from "../../test/support/corpus.ts";
import { bootSystem } from "./index.ts";
import { testExtensions } from "./testExtensions.ts";

/** Classes compared, with the keys a real Mac always shows for them. */
const FAMILIES: Record<string, readonly string[]> = {
  IOPCIDevice: ["IOName", "name", "compatible", "vendor-id", "device-id", "revision-id", "class-code", "subsystem-vendor-id", "subsystem-id", "reg", "pcidebug", "IOPCIResourced"],
  IOUSBHostDevice: ["idVendor", "idProduct", "bcdDevice", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol", "locationID", "sessionID", "USBSpeed", "kUSBCurrentConfiguration", "USB Product Name"],
  IOUSBHostInterface: ["bInterfaceNumber", "bAlternateSetting", "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol", "bConfigurationValue", "idVendor", "idProduct", "locationID"],
  IOHIDInterface: ["Transport", "VendorID", "ProductID", "PrimaryUsagePage", "PrimaryUsage", "DeviceUsagePairs", "LocationID", "CountryCode"],
  IOMedia: ["Size", "Preferred Block Size", "Whole", "Leaf", "Writable", "Removable", "Ejectable", "Content", "Content Hint", "BSD Name", "BSD Major", "BSD Minor", "BSD Unit"],
  IOEthernetInterface: ["BSD Name", "IOInterfaceType", "IOMaxTransferUnit", "IOMediaAddressLength", "IOMediaHeaderLength", "IOInterfaceFlags", "IOInterfaceUnit", "IOInterfaceNamePrefix", "IOBuiltin", "IOPrimaryInterface"],
  IOSerialBSDClient: ["IOTTYBaseName", "IOTTYSuffix", "IOTTYDevice", "IOCalloutDevice", "IODialinDevice", "IOSerialBSDClientType"],
  IOBlockStorageDriver: [],
};

/** Keys we publish that the corpus dumps do not show (each is a row in docs/divergences.md). */
const OUR_ADDITIONS = new Set(["Base", "ShortReports", "HIDEventCount"]);

/** Personality keys every driver carries (from its kext), not the family's own properties. */
const PERSONALITY = new Set(["CFBundleIdentifier", "CFBundleIdentifierKernel", "IOClass", "IOProviderClass", "IOMatchCategory", "IOProbeScore", "IOPropertyMatch", "IOResourceMatch", "IOPCIClassMatch", "Content Mask"]);

const kind = (v: OSValue): string => kindOf(v);

describe("registry fidelity against real Macs", () => {
  // Real Macs, plus hackintosh dumps: real macOS (Catalina and later, where IOUSBHostDevice carries
  // its descriptor fields) on other hardware — the families' property shapes are Apple's there too.
  const dumps = ["real-mac-intel", "real-mac-applesilicon", "hackintosh"].flatMap((d) => corpusFiles(`B_ioreg/${d}`, (p) => p.endsWith("_IOService.txt")));
  it.skipIf(dumps.length === 0)("class names, property names and value kinds follow Apple's per family", async () => {
    const apple = new Map<string, Map<string, Set<string>>>();
    for (const path of dumps) {
      const snap = importIORegText(readFileSync(path)).snapshot;
      for (const e of snap.entries) {
        if (!(e.className in FAMILIES)) continue;
        const keys = apple.get(e.className) ?? new Map<string, Set<string>>();
        apple.set(e.className, keys);
        for (const [k, v] of e.properties) {
          const s = keys.get(k) ?? new Set<string>();
          s.add(kind(v));
          keys.set(k, s);
        }
      }
    }
    const sys = await bootSystem({ extensions: [await testExtensions()] });
    const problems: string[] = [];
    for (const [cls, required] of Object.entries(FAMILIES)) {
      const ours = sys.kernel.registry.findByClass(cls);
      expect(ours.length, `${cls} in the virtual Mac`).toBeGreaterThan(0);
      const theirs = apple.get(cls);
      if (theirs === undefined) continue; // older dumps predate IOUSBHost*: nothing to compare
      for (const e of ours) {
        for (const k of required) if (!e.hasProperty(k)) problems.push(`${cls}: missing ${k}`);
        for (const [k, v] of e.properties) {
          if (PERSONALITY.has(k)) continue;
          const kinds = theirs.get(k);
          if (kinds === undefined) { if (!OUR_ADDITIONS.has(k)) problems.push(`${cls}: ${k} never appears on a real Mac`); continue; }
          if (!kinds.has(kind(v))) problems.push(`${cls}: ${k} is ${kind(v)}, Apple's is ${[...kinds].join("/")}`);
        }
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  }, 120_000);
});
