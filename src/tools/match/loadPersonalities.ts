/**
 * Reads the personalities of a kext for `iokit match --kext`: a `.kext` bundle (its
 * `Contents/Info.plist` or, for iOS-style bundles, `Info.plist`), or an Info.plist file itself
 * (XML or binary). Each personality gets the kext's `CFBundleIdentifier` unless it names its own,
 * as OSKext does when it publishes personalities.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../../formats/index.ts";
import type { PersonalityInput } from "../../kernel/index.ts";
import { isOSDictionary, type OSValue } from "../../libkern/index.ts";

/** A user mistake in a kext path, reported as one line. */
export class KextInputError extends Error {}

/** The Info.plist path of a bundle or plist path. */
export function infoPlistPath(path: string): string {
  if (!existsSync(path)) throw new KextInputError(`${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return path;
  for (const p of [join(path, "Contents", "Info.plist"), join(path, "Info.plist")]) if (existsSync(p)) return p;
  throw new KextInputError(`${path}: not a kext bundle (no Contents/Info.plist)`);
}

/** The personalities of a kext or Info.plist. */
export function loadPersonalities(path: string): PersonalityInput[] {
  const plist = infoPlistPath(path);
  const bytes = new Uint8Array(readFileSync(plist));
  let info: OSValue;
  try {
    info = isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);
  } catch (e) {
    throw new KextInputError(`${plist}: ${(e as Error).message}`);
  }
  if (!isOSDictionary(info)) throw new KextInputError(`${plist}: the top level is not a dictionary`);
  const bundle = info.get("CFBundleIdentifier");
  const personalities = info.get("IOKitPersonalities");
  if (personalities === undefined) return [];
  if (!isOSDictionary(personalities)) throw new KextInputError(`${plist}: IOKitPersonalities is not a dictionary`);
  const out: PersonalityInput[] = [];
  for (const [name, table] of personalities) {
    let t: OSValue = table;
    if (isOSDictionary(table) && !table.has("CFBundleIdentifier") && typeof bundle === "string") {
      t = new Map(table);
      t.set("CFBundleIdentifier", bundle);
    }
    out.push({ table: t, name, ...(typeof bundle === "string" ? { bundle } : {}), origin: plist });
  }
  return out;
}
