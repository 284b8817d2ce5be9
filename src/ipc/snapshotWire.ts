/**
 * The whole registry on the wire (what `ioreg` asks the kernel for in one call): an
 * {@link IORegistrySnapshot} as a wire value and back. Records become positional arrays so a
 * thousand-entry registry stays compact.
 */
import type { IORegistrySnapshot, IORegistrySnapshotEntry } from "../formats/index.ts";
import type { OSDictionary } from "../libkern/index.ts";
import { WireSyntaxError, type WireValue } from "./WireCodec.ts";

const recordToMap = (r: Readonly<Record<string, string | readonly number[]>>): Map<string, WireValue> =>
  new Map(Object.entries(r).map(([k, v]) => [k, typeof v === "string" ? v : [...v]]));

/** Encodes a snapshot as a wire value. */
export function snapshotToWire(s: IORegistrySnapshot): WireValue {
  const entries: WireValue[] = s.entries.map((e) => [
    e.id, e.className, e.superclasses ? [...e.superclasses] : null, e.name ?? null, e.location ?? null,
    recordToMap(e.planeNames), recordToMap(e.planeLocations), e.properties, recordToMap(e.children),
    e.service ? [e.service.state, e.service.busy, e.service.busyTimeNs] : null, e.retain,
  ]);
  return [[...s.planes], entries];
}

function bad(what: string): never {
  throw new WireSyntaxError(`malformed registry snapshot: ${what}`, 0);
}

function stringRecord(v: WireValue): Record<string, string> {
  if (!(v instanceof Map)) bad("plane names");
  const r: Record<string, string> = {};
  for (const [k, x] of v) if (typeof x === "string") r[k] = x;
  return r;
}

/** Decodes {@link snapshotToWire}'s output; throws WireSyntaxError on any other shape. */
export function snapshotFromWire(v: WireValue): IORegistrySnapshot {
  if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1])) bad("top level");
  const planes = (v[0] as WireValue[]).map((p) => (typeof p === "string" ? p : bad("plane")));
  const entries = (v[1] as WireValue[]).map((e): IORegistrySnapshotEntry => {
    if (!Array.isArray(e) || e.length !== 11) bad("entry");
    const [id, className, superclasses, name, location, planeNames, planeLocations, properties, children, service, retain] = e;
    if (typeof id !== "bigint" || typeof className !== "string" || !(properties instanceof Map) || !(children instanceof Map) || typeof retain !== "number") bad("entry fields");
    const kids: Record<string, number[]> = {};
    for (const [k, x] of children) kids[k] = Array.isArray(x) ? (x as WireValue[]).filter((i): i is number => typeof i === "number") : [];
    const entry: IORegistrySnapshotEntry = {
      id, className, planeNames: stringRecord(planeNames as WireValue), planeLocations: stringRecord(planeLocations as WireValue),
      properties: properties as OSDictionary, children: kids, retain,
      ...(Array.isArray(superclasses) ? { superclasses: (superclasses as WireValue[]).filter((x): x is string => typeof x === "string") } : {}),
      ...(typeof name === "string" ? { name } : {}),
      ...(typeof location === "string" ? { location } : {}),
      ...(Array.isArray(service) && typeof service[0] === "number" && typeof service[1] === "number" && typeof service[2] === "bigint"
        ? { service: { state: service[0], busy: service[1], busyTimeNs: service[2] } } : {}),
    };
    return entry;
  });
  return { planes, entries, hasProperties: true };
}
