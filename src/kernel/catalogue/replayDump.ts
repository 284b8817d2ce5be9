/**
 * Replay of a real machine's registry dump through the matching engine.
 *
 * Every driver instance in a registry carries the keys of the personality that matched it
 * (`IOClass`, `IOProviderClass`, `IOProbeScore`, `CFBundleIdentifier`, `IOMatchCategory` and the
 * match keys), so a dump records what real matching decided. The replay rebuilds a catalogue from
 * those driver entries, re-runs matching on every registered nub of the dump (no driver code runs:
 * no probe, start succeeds, clients start empty) and compares, per nub and match category, the
 * predicted driver with the recorded one.
 *
 * Two reconstructions are needed. (1) The recorded `IOProbeScore` is the score *after* family
 * matching (the kernel writes the family score back into the driver's table), so the personality's
 * own score is recovered by subtracting what the family adds on the recorded provider (USB rule
 * bases, HID increments, PCI's +1000 on arm64). (2) Class conformance comes from the injected
 * {@link ClassHierarchy}; the replay itself adds only what ioreg prints on the entry's own line
 * (a service-state block means the entry is an IOService), never facts learned from the dump's
 * matching outcomes.
 *
 * `MatchNub` adapters are {@link StaticNub}s; the dump tree is read through the small
 * {@link ReplayEntry} interface so that any importer can feed it.
 */
import { OSNumber, isOSDictionary, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import type { ClassHierarchy } from "./ClassHierarchy.ts";
import type { BuildArch } from "./FamilyMatcher.ts";
import { IOCatalogue, type CataloguePersonality, type PersonalityInput } from "./IOCatalogue.ts";
import {
  kCFBundleIdentifierKey, kIOClassKey, kIONameMatchedKey, kIOProbeScoreKey, kIOProviderClassKey, matchCategoryOf, probeScoreOf,
} from "./keys.ts";
import { matchPassive } from "./matchPassive.ts";
import { matchService, type MatchRun } from "./matchService.ts";
import { StaticNub } from "./StaticNub.ts";

/** One entry of a registry dump, as the replay reads it. */
export interface ReplayEntry {
  /** The display name (without `@location`). */
  readonly name: string;
  readonly location?: string | undefined;
  readonly className: string;
  /** The registry entry ID, when the dump prints one. */
  readonly id?: bigint | undefined;
  readonly properties: OSDictionary;
  readonly children: readonly ReplayEntry[];
  /** From the service-state block: true/false; undefined when ioreg printed none (not an IOService). */
  readonly registered?: boolean | undefined;
}

/** One driver on one nub in one category. */
export interface Attachment {
  /** The provider: its entry id (`0x…`), or its path of display names from Root (`/MacPro1,1/PCI0@0#1`). */
  readonly provider: string;
  readonly class: string;
  readonly bundle: string | null;
  readonly category: string;
}

/** The replay's verdict, in the JSON shape `iokit match --replay --json` prints. */
export interface ReplayReport {
  readonly dump: string;
  readonly attachments: number;
  readonly reproduced: number;
  readonly missed: readonly Attachment[];
  readonly spurious: readonly Attachment[];
  readonly predicted: readonly Attachment[];
}

export interface ReplayOptions {
  readonly hierarchy: ClassHierarchy;
  /** Default: from the dump's `OSKernelCPUType` / `IOKitBuildVersion`. */
  readonly arch?: BuildArch;
  /** The dump's file name, for the report. */
  readonly dump?: string;
  /** Extra personalities (from kexts the user names) added after the dump's own. */
  readonly extra?: readonly PersonalityInput[];
  /**
   * Real classes behind `IOClassNameOverride` names: an entry whose printed class is its own
   * override (IORegistryExplorer saves record the override) also conforms to these.
   */
  readonly overrides?: ReadonlyMap<string, readonly string[]>;
}

export interface ReplayResult {
  readonly report: ReplayReport;
  readonly catalogue: IOCatalogue;
  /** The nubs matched, with their keys. */
  readonly nubs: ReadonlyMap<string, StaticNub>;
  /** The entries of the dump by key, and each nub's entry. */
  readonly entries: ReadonlyMap<string, ReplayEntry>;
  /** One matching pass per nub, by key. */
  readonly runs: ReadonlyMap<string, MatchRun>;
  /** The recorded attachments. */
  readonly recorded: readonly Attachment[];
}

/** The kernel architecture a dump was taken on. */
export function archOfDump(root: ReplayEntry): BuildArch {
  const cpu = root.properties.get("OSKernelCPUType");
  if (cpu instanceof OSNumber && cpu.value === 0x100000cn) return "arm64";
  const v = root.properties.get("IOKitBuildVersion");
  if (typeof v === "string" && /ARM64|arm64/.test(v)) return "arm64";
  return "x86_64";
}

/** Whether an entry is a driver made by matching: it carries a personality's IOClass and IOProviderClass. */
export function isDriverEntry(e: ReplayEntry): boolean {
  return typeof e.properties.get(kIOProviderClassKey) === "string" && typeof e.properties.get(kIOClassKey) === "string";
}

/** Assigns each entry its report key: its id, or its display-name path with `#k` for same-named siblings. */
export function entryKeys(root: ReplayEntry): Map<ReplayEntry, string> {
  const keys = new Map<ReplayEntry, string>();
  // Dumps print IDs on every node line or on none; paths are built only when they are needed.
  const byPath = root.id === undefined;
  const stack: { e: ReplayEntry; path: string }[] = [{ e: root, path: "" }];
  keys.set(root, root.id !== undefined ? hexId(root.id) : "/");
  while (stack.length > 0) {
    const { e, path } = stack.pop() as { e: ReplayEntry; path: string };
    const counts = new Map<string, number>();
    if (byPath) for (const c of e.children) counts.set(display(c), (counts.get(display(c)) ?? 0) + 1);
    const seen = new Map<string, number>();
    const next: { e: ReplayEntry; path: string }[] = [];
    for (const c of e.children) {
      if (keys.has(c)) continue;
      let p = "";
      if (byPath || c.id === undefined) {
        const d = display(c);
        const k = seen.get(d) ?? 0;
        seen.set(d, k + 1);
        p = `${path}/${d}${(counts.get(d) ?? 0) > 1 ? `#${k}` : ""}`;
      }
      keys.set(c, c.id !== undefined ? hexId(c.id) : p);
      next.push({ e: c, path: p });
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i] as { e: ReplayEntry; path: string });
  }
  return keys;
}

const display = (e: ReplayEntry): string => (e.location !== undefined ? `${e.name}@${e.location}` : e.name);
const hexId = (id: bigint): string => `0x${id.toString(16)}`;

function attachmentOf(driver: ReplayEntry, providerKey: string): Attachment {
  const b = driver.properties.get(kCFBundleIdentifierKey);
  return { provider: providerKey, class: driver.properties.get(kIOClassKey) as string, bundle: typeof b === "string" ? b : null, category: matchCategoryOf(driver.properties) };
}

const attachmentKey = (a: Attachment): string => `${a.provider}\u0000${a.class}\u0000${a.bundle ?? ""}\u0000${a.category}`;

/** Rebuilds the dump's catalogue, re-runs matching on its registered nubs, compares. */
export function replayDump(root: ReplayEntry, options: ReplayOptions): ReplayResult {
  const arch = options.arch ?? archOfDump(root);
  const keys = entryKeys(root);
  const catalogue = new IOCatalogue({ arch, validate: false });

  // One nub per entry, parents first (explicit stack: dumps can be deep). An entry with several
  // providers appears under each of them in a text dump; entries with the same ID are one entry,
  // matched once, whose provider is its first parent.
  const unique = new Map<ReplayEntry, ReplayEntry>();
  const byId = new Map<bigint, ReplayEntry>();
  const parents = new Map<ReplayEntry, ReplayEntry[]>();
  const order: ReplayEntry[] = [];
  const walk: { e: ReplayEntry; parent: ReplayEntry | undefined }[] = [{ e: root, parent: undefined }];
  while (walk.length > 0) {
    const { e, parent } = walk.pop() as { e: ReplayEntry; parent: ReplayEntry | undefined };
    const canon = unique.get(e) ?? (e.id !== undefined ? byId.get(e.id) : undefined);
    if (canon !== undefined) {
      unique.set(e, canon);
      if (parent !== undefined && !(parents.get(canon) ?? []).includes(parent)) parents.get(canon)?.push(parent);
      continue;
    }
    unique.set(e, e);
    if (e.id !== undefined) byId.set(e.id, e);
    parents.set(e, parent === undefined ? [] : [parent]);
    order.push(e);
    for (let i = e.children.length - 1; i >= 0; i--) walk.push({ e: e.children[i] as ReplayEntry, parent: unique.get(e) ?? e });
  }
  const nubs = new Map<ReplayEntry, StaticNub>();
  for (const e of order) {
    const first = (parents.get(e) ?? [])[0];
    nubs.set(e, new StaticNub({
      className: e.className, properties: e.properties, name: e.name, location: e.location, registryEntryID: e.id,
      provider: first !== undefined ? nubs.get(first) : undefined, hierarchy: options.hierarchy, registered: e.registered === true,
      alsoConformsTo: [
        ...(e.registered !== undefined ? ["IOService"] : []),
        ...(e.properties.get("IOClassNameOverride") === e.className ? options.overrides?.get(e.className) ?? [] : []),
      ],
    }));
  }
  const resourcesEntry = order.find((e) => e.className === "IOResources");
  const resources = resourcesEntry !== undefined ? nubs.get(resourcesEntry) : undefined;
  for (const n of nubs.values()) n.setResources(resources);

  // The recorded attachments and the catalogue rebuilt from them. A driver with several providers
  // matched the one its IOProviderClass names; the others attached it by code.
  const recorded: Attachment[] = [];
  const inputs: PersonalityInput[] = [];
  const seen = new Set<string>();
  const recordedKeys = new Set<string>();
  for (const e of order) {
    const ps = parents.get(e) ?? [];
    if (ps.length === 0 || !isDriverEntry(e)) continue;
    const pc = e.properties.get(kIOProviderClassKey) as string;
    // A driver that matched IOResources and then moved under a real provider (IOHIDSystem,
    // IONetworkStack) was still matched on IOResources: that is where the replay must find it.
    const parent = ps.find((p) => (nubs.get(p) as StaticNub).conformsTo(pc))
      ?? (pc === "IOResources" && resourcesEntry !== undefined ? resourcesEntry : (ps[0] as ReplayEntry));
    // One driver per nub and category: the same tuple twice is one entry printed under several
    // parents in a dump without IDs.
    const a = attachmentOf(e, keys.get(parent) as string);
    if (!recordedKeys.has(attachmentKey(a))) {
      recordedKeys.add(attachmentKey(a));
      recorded.push(a);
    }
    const table = personalityFromDriver(e, nubs.get(parent) as StaticNub, catalogue);
    const sig = signature(table);
    if (seen.has(sig)) continue;
    seen.add(sig);
    inputs.push({ table, origin: `${options.dump ?? "dump"}: ${keys.get(e)}` });
  }
  catalogue.addDrivers([...inputs, ...(options.extra ?? [])], false);

  // Re-run matching on every registered nub.
  const runs = new Map<string, MatchRun>();
  const byKey = new Map<string, StaticNub>();
  const entries = new Map<string, ReplayEntry>();
  const predicted: Attachment[] = [];
  for (const e of order) {
    const k = keys.get(e) as string;
    entries.set(k, e);
    const n = nubs.get(e) as StaticNub;
    byKey.set(k, n);
    if (!n.registered) continue;
    const run = matchService(catalogue, n);
    runs.set(k, run);
    for (const [category, d] of run.winners) {
      predicted.push({ provider: k, class: d.personality.ioClass ?? "", bundle: d.personality.bundle ?? null, category });
    }
  }
  const rec = new Map<string, number>();
  for (const a of recorded) rec.set(attachmentKey(a), (rec.get(attachmentKey(a)) ?? 0) + 1);
  const spurious: Attachment[] = [];
  let reproduced = 0;
  for (const p of predicted) {
    const k = attachmentKey(p);
    const left = rec.get(k) ?? 0;
    if (left > 0) { reproduced++; rec.set(k, left - 1); } else spurious.push(p);
  }
  const missed = recorded.filter((a) => {
    const k = attachmentKey(a);
    const left = rec.get(k) ?? 0;
    if (left > 0) { rec.set(k, left - 1); return true; }
    return false;
  });
  const report: ReplayReport = { dump: options.dump ?? "", attachments: recorded.length, reproduced, missed, spurious, predicted };
  return { report, catalogue, nubs: byKey, entries, runs, recorded };
}

/**
 * The personality a driver entry was made from: its properties minus what matching added
 * (`IONameMatched`), with the family's score contribution on the recorded provider taken back out
 * of `IOProbeScore`. A driver also carries properties it set itself, and some share a name with a
 * family match key (an HID driver's `LocationID`); such a key whose value contradicts the very
 * provider the driver matched cannot have been in the personality in that form, so it is dropped
 * (at most {@link MAX_DROPPED} keys; they are listed in `dropped`).
 */
export function personalityFromDriver(driver: ReplayEntry, provider: StaticNub, catalogue: IOCatalogue): OSDictionary {
  return reconstructPersonality(driver, provider, catalogue).table;
}

/** How many contradicting keys one driver entry may lose. */
export const MAX_DROPPED = 4;

/** {@link personalityFromDriver} with the keys it dropped. */
export function reconstructPersonality(driver: ReplayEntry, provider: StaticNub, catalogue: IOCatalogue): { table: OSDictionary; dropped: string[] } {
  const table: OSDictionary = new Map(driver.properties);
  table.delete(kIONameMatchedKey);
  const dropped: string[] = [];
  const opts = { arch: catalogue.arch, families: catalogue.families, classDone: true };
  for (let r = matchPassive(table, provider, opts); !r.matched && dropped.length < MAX_DROPPED; r = matchPassive(table, provider, opts)) {
    const key = r.failure?.key;
    // Only family keys (idVendor, LocationID, Content Mask…): a driver sets those on itself; the
    // generic IO* keys belong to the personality alone, and dropping one would widen it.
    if (key === undefined || key.startsWith("IO") || !table.has(key)) break;
    table.delete(key);
    dropped.push(key);
  }
  const recordedScore = probeScoreOf(table);
  const matcher = catalogue.families.matcherFor(provider);
  if (matcher !== undefined) {
    const probe: OSDictionary = new Map(table);
    probe.set(kIOProbeScoreKey, new OSNumber(0, 32));
    const r = matcher.matchPropertyTable(probe, provider, 0, { arch: catalogue.arch });
    if (r.ok && r.score !== 0) table.set(kIOProbeScoreKey, new OSNumber(BigInt.asUintN(32, BigInt(recordedScore - r.score)), 32));
  }
  return { table, dropped };
}

/**
 * Keys the engine reads from a personality (generic, IOResources, PCI, USB, HID, storage, SCSI,
 * FireWire, Thunderbolt) plus the identity keys; two tables equal on these match identically.
 */
const ENGINE_KEYS: ReadonlySet<string> = new Set([
  "IOClass", "IOProviderClass", "IOProbeScore", "IOMatchCategory", "CFBundleIdentifier", "IOUserServerName", "IOUserClass",
  "IOServiceNotificationUser", "IONameMatch", "IOLocationMatch", "IOPropertyMatch", "IOPropertyExistsMatch", "IOPathMatch",
  "IORegistryEntryID", "IOMatchedServiceCountMatch", "BSD Name", "BSD Major", "BSD Minor", "BSD Unit", "IOParentMatch",
  "IOResourceMatch", "IOResourceMatched", "IOPCIMatch", "IOPCIPrimaryMatch", "IOPCISecondaryMatch", "IOPCIClassMatch",
  "IOPCITunnelCompatible", "idVendor", "idProduct", "idProductArray", "idProductMask", "bcdDevice", "bDeviceClass",
  "bDeviceSubClass", "bDeviceProtocol", "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol", "bConfigurationValue",
  "bInterfaceNumber", "PrimaryUsagePage", "PrimaryUsage", "DeviceUsagePairs", "DeviceUsagePage", "DeviceUsage", "Transport",
  "LocationID", "VendorID", "ProductID", "ProductIDArray", "ProductIDMask", "VersionNumber", "Manufacturer", "SerialNumber",
  "ModelNumber", "PhysicalDeviceUniqueID", "BootProtocol", "Content Mask", "Content", "Content Hint", "Ejectable", "Leaf",
  "Open", "Preferred Block Size", "Removable", "Size", "Whole", "Writable", "HIDDefaultBehavior", "HIDCompatibilityInterface", "Peripheral Device Type", "Vendor Identification",
  "Product Identification", "Vendor_ID", "Model_ID", "GUID", "Unit_Spec_ID", "Unit_SW_Version", "Adapter Type",
]);

function signature(table: OSDictionary): string {
  const parts: string[] = [];
  for (const [k, v] of table) if (ENGINE_KEYS.has(k)) parts.push(`${k}=${stringify(v)}`);
  return parts.sort().join("\n");
}

function stringify(v: OSValue): string {
  if (v instanceof OSNumber) return `#${v.value}`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean") return v ? "T" : "F";
  if (v instanceof Uint8Array) return `<${Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")}>`;
  if (Array.isArray(v)) return `(${v.map(stringify).join(",")})`;
  if (v instanceof Set) return `[${[...v].map(stringify).join(",")}]`;
  if (isOSDictionary(v)) return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}=${stringify(x)}`).join(",")}}`;
  return String(v);
}

export type { CataloguePersonality };
