/**
 * Real personalities from the corpus (A_kext_infoplists) through the live lifecycle: every
 * `IOKitPersonalities` entry of every Info.plist goes into one kernel's catalogue, then matching runs
 * on the booted nubs (IOResources, IOUserResources, the platform expert) — first with no driver code
 * (no registry entries may appear), then with a KextLoader that defines each IOClass on demand.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../../formats/index.ts";
import { isOSDictionary, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { OSMetaClass } from "../object/index.ts";
import { IOKernel } from "./IOKernel.ts";
import { IOService } from "./IOService.ts";

const files = corpusFiles("A_kext_infoplists", (p) => p.endsWith(".plist"));

function personalities(): Array<{ table: OSDictionary; bundle?: string; name: string; origin: string }> {
  const out: Array<{ table: OSDictionary; bundle?: string; name: string; origin: string }> = [];
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    let plist: OSValue;
    try {
      plist = isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);
    } catch {
      continue; // malformed samples are the plist tests' business
    }
    if (!isOSDictionary(plist)) continue;
    const bundle = plist.get("CFBundleIdentifier");
    const pers = plist.get("IOKitPersonalities");
    if (!isOSDictionary(pers)) continue;
    for (const [name, table] of pers) {
      if (isOSDictionary(table)) out.push({ table, name, origin: f, ...(typeof bundle === "string" ? { bundle } : {}) });
    }
  }
  return out;
}

const snapshot = () => OSMetaClass.all().map((m) => `${m.className}=${m.getInstanceCount()}`).join(" ");

describe.skipIf(files.length === 0)("corpus personalities in the live kernel", () => {
  const all = personalities();

  it("without driver code: no entry appears, the kernel goes quiet, counts stay put", async () => {
    expect(all.length).toBeGreaterThan(50);
    const k = new IOKernel();
    const before = snapshot();
    k.addDrivers(all);
    k.catalogueSendData(8); // kextd finished launching: IOKit on IOUserResources
    await k.runUntilIdle();
    expect(k.platform.busyState).toBe(0);
    expect(k.platform.getClients().map((c) => c.className)).toEqual(["IOResources", "IOUserResources"]);
    expect(k.resources.getClients()).toEqual([]);
    const allocFailures = k.logRing.texts().filter((l) => l.startsWith("Couldn't alloc class"));
    expect(allocFailures.length).toBeGreaterThan(0);
    expect(snapshot()).toBe(before);
  });

  it("with a KextLoader: one driver per match category on each nub, and all of it unloads again", async () => {
    const defined = new Set<string>();
    const byBundle = new Map<string, string[]>();
    for (const p of all) {
      const cls = p.table.get("IOClass");
      if (typeof cls === "string" && p.bundle) byBundle.set(p.bundle, [...(byBundle.get(p.bundle) ?? []), cls]);
    }
    const k = new IOKernel({
      kextLoader: {
        loadKextForMatching: (bundle) => {
          for (const cls of byBundle.get(bundle) ?? []) {
            if (defined.has(cls) || OSMetaClass.getMetaClassWithName(cls)) continue;
            const C = class extends IOService {};
            OSMetaClass.define(C, cls, { kmodName: bundle });
            defined.add(cls);
          }
          return "loaded";
        },
      },
    });
    const before = snapshot();
    k.addDrivers(all);
    k.publishResource("IOBSD");
    k.catalogueSendData(8);
    await k.runUntilIdle();
    expect(k.platform.busyState).toBe(0);
    let started = 0;
    for (const nub of [k.platform, k.resources, k.userResources]) {
      const drivers = nub.getClients().filter((c) => c.getProperty("IOClass") !== undefined);
      const categories = drivers.map((d) => d.stringProperty("IOMatchCategory"));
      expect(new Set(categories).size).toBe(categories.length);
      started += drivers.length;
    }
    expect(started).toBeGreaterThan(0);
    for (const bundle of byBundle.keys()) k.terminateDriversForModule(bundle);
    await k.runUntilIdle();
    for (const bundle of byBundle.keys()) OSMetaClass.removeClasses(bundle);
    expect(snapshot()).toBe(before);
    expect(k.resources.getClients()).toEqual([]);
  });
});
