/**
 * Builds `src/kernel/catalogue/appleClassesObserved.ts`: class-conformance facts seen in real
 * registry dumps, each with the dumps that show it.
 *
 * A driver whose `IOProviderClass` is X, attached to an entry of class Y, proves that Y conforms
 * to X, with three guards: the driver must have a single provider (an entry shown under several
 * parents was attached to the others by code, not by matching), X must not be IOResources or
 * IOUserResources (drivers that matched there often move to a real provider), and Y's superclass
 * chain must not already be known completely from Apple's headers (a complete header chain is
 * authoritative). Classes printed as `Super:Class` (`ioreg -i`) give exact links too, and so do
 * IORegistryExplorer saves (`.ioreg`, NSKeyedArchiver): every entry there records its whole
 * `inheritance` chain.
 *
 * Each fact lists the short SHA-256 of every dump that shows it, so that the replay of a dump can
 * leave out the facts that only that dump shows (leave-one-out). Run:
 *   npx tsx scripts/buildAppleClasses.ts [corpus/B_ioreg]
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importIORegText, isBinaryPlist, parseBinaryPlist } from "../src/formats/index.ts";
import { OSUID, isOSDictionary, type OSValue } from "../src/libkern/index.ts";
import { APPLE_CLASS_LINKS, ClassHierarchy, isDriverEntry, replayEntriesFromSnapshot, type ReplayEntry } from "../src/kernel/index.ts";
import { dumpDigest } from "../src/tools/match/main.ts";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const dir = resolve(process.argv[2] ?? join(process.env.IOKIT_CORPUS ?? join(root, "../shared/corpus"), "B_ioreg"));
const out = join(root, "src/kernel/catalogue/appleClassesObserved.ts");


const headers = new ClassHierarchy(APPLE_CLASS_LINKS);
const complete = (c: string): boolean => headers.classChain(c).includes("OSObject");
const facts = new Map<string, Set<string>>();
const links = new Map<string, Set<string>>();
const overrides = new Map<string, Set<string>>();
const add = (m: Map<string, Set<string>>, k: string, src: string): void => {
  let s = m.get(k);
  if (s === undefined) m.set(k, (s = new Set()));
  s.add(src);
};

const files: string[] = [];
const walk = (d: string): void => {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(dir);
/** The `inheritance` chains (most-derived first) of an IORegistryExplorer save. */
function explorerChains(bytes: Uint8Array): string[][] {
  const top = parseBinaryPlist(bytes);
  if (!isOSDictionary(top) || !top.has("$archiver")) return [];
  const objects = top.get("$objects");
  if (!Array.isArray(objects)) return [];
  const deref = (v: OSValue | undefined): OSValue | undefined => (v instanceof OSUID ? objects[v.value] : v);
  const out: string[][] = [];
  for (const o of objects) {
    if (!isOSDictionary(o) || !o.has("inheritance")) continue;
    const arr = deref(o.get("inheritance"));
    const list = isOSDictionary(arr) ? arr.get("NS.objects") : undefined;
    if (!Array.isArray(list)) continue;
    const chain = list.map(deref).filter((x): x is string => typeof x === "string");
    if (chain.length > 1) out.push(chain);
  }
  return out;
}

const used: string[] = [];
for (const f of files) {
  const bytes = new Uint8Array(readFileSync(f));
  if (isBinaryPlist(bytes)) {
    const chains = explorerChains(bytes);
    if (chains.length === 0) continue;
    const digest = dumpDigest(bytes);
    used.push(`${digest}  ${relative(dir, f)} (IORegistryExplorer save: inheritance chains)`);
    for (const chain of chains) for (let i = 0; i + 1 < chain.length; i++) add(links, `${chain[i]}>${chain[i + 1]}`, digest);
    continue;
  }
  if (bytes[0] !== 0x2b && bytes[0] !== 0x49 && !new TextDecoder("latin1").decode(bytes.subarray(0, 64)).includes("+-o")) continue;
  const { snapshot } = importIORegText(bytes);
  if (snapshot.entries.length < 2 || !snapshot.hasProperties || snapshot.planes[0] !== "IOService") continue;
  const digest = dumpDigest(bytes);
  used.push(`${digest}  ${relative(dir, f)}`);
  for (const e of snapshot.entries) {
    const chain = e.superclasses;
    if (chain !== undefined) {
      let c = e.className;
      for (const s of chain) { add(links, `${c}>${s}`, digest); c = s; }
    }
  }
  const top = replayEntriesFromSnapshot(snapshot);
  const parents = new Map<ReplayEntry, ReplayEntry[]>();
  const seen = new Set<ReplayEntry>();
  const stack: ReplayEntry[] = [top];
  while (stack.length > 0) {
    const e = stack.pop() as ReplayEntry;
    if (seen.has(e)) continue;
    seen.add(e);
    for (const c of e.children) {
      const ps = parents.get(c) ?? [];
      ps.push(e);
      parents.set(c, ps);
      stack.push(c);
    }
  }
  // Entries that present another class name to user space (`IOClassNameOverride`): a text dump
  // prints the real class beside the override, which tells what an override-named entry in an
  // IORegistryExplorer save really is.
  for (const e of seen) {
    const o = e.properties.get("IOClassNameOverride");
    if (typeof o === "string" && o !== e.className) add(overrides, `${o}>${e.className}`, digest);
  }
  for (const [e, ps] of parents) {
    if (ps.length !== 1 || !isDriverEntry(e)) continue;
    const x = e.properties.get("IOProviderClass") as string;
    const y = (ps[0] as ReplayEntry).className;
    if (x === y || x === "IOResources" || x === "IOUserResources" || complete(y)) continue;
    add(facts, `${y}>${x}`, digest);
  }
}

const rows = (m: Map<string, Set<string>>): string =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, s]) => {
    const [a, b] = k.split(">");
    return `  [${JSON.stringify(a)}, ${JSON.stringify(b)}, [${[...s].sort().map((x) => JSON.stringify(x)).join(", ")}]],`;
  }).join("\n");

writeFileSync(out, `/**
 * GENERATED by scripts/buildAppleClasses.ts from the registry dumps listed below; do not edit.
 *
 * \`[class, ancestor, dumps]\`: in each listed dump (short SHA-256 of the file) a driver whose
 * IOProviderClass is \`ancestor\` was the only provider-attached child of an entry of \`class\`,
 * so \`class\` conforms to \`ancestor\`. Facts about classes whose chain Apple's headers give
 * completely (appleClasses.ts) are not recorded. OBSERVED_LINKS are exact superclass links
 * printed by \`ioreg -i\` (\`Super:Class\`) or recorded by IORegistryExplorer saves.
 * OBSERVED_OVERRIDES are \`[IOClassNameOverride, real class, dumps]\`: what an entry that shows the
 * override name really is.
 *
 * Dumps read:
${used.map((u) => ` *   ${u}`).join("\n")}
 */
export type ObservedFact = readonly [string, string, readonly string[]];

export const OBSERVED_CONFORMANCES: readonly ObservedFact[] = [
${rows(facts)}
];

export const OBSERVED_LINKS: readonly ObservedFact[] = [
${rows(links)}
];

export const OBSERVED_OVERRIDES: readonly ObservedFact[] = [
${rows(overrides)}
];
`);
process.stdout.write(`${facts.size} conformance facts, ${links.size} links from ${used.length} dumps -> ${relative(root, out)}\n`);
