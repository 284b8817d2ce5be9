/**
 * Property tests tying the text renderer and importer together: whatever registry we print,
 * importing the text and printing again gives the same bytes, in every node-line style.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { num, type OSValue } from "../../libkern/index.ts";
import type { IORegTextStyle, IORegistrySnapshot, IORegistrySnapshotEntry } from "./IORegistrySnapshot.ts";
import { formatIORegText } from "./formatIORegText.ts";
import { importIORegText } from "./parseIORegText.ts";
import { binaryToBytes } from "./parseIORegValue.ts";

const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9,_-]{0,11}$/);
const value: fc.Arbitrary<OSValue> = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "Z", " ", "=", ",", "(", "é", "\n") }).filter((s) => !s.endsWith("\n")),
  fc.boolean(),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((n) => num(n)),
  fc.uint8Array({ maxLength: 10 }),
  fc.array(fc.bigInt({ min: 0n, max: 99n }).map((n) => num(n)), { maxLength: 3 }),
);

const snapshot: fc.Arbitrary<IORegistrySnapshot> = fc
  .array(fc.record({
    parent: fc.nat(),
    name: word,
    location: fc.option(fc.stringMatching(/^[0-9a-f]{1,4}(,[0-9a-f]{1,2})?$/), { nil: undefined }),
    className: word,
    service: fc.option(fc.record({ state: fc.constantFrom(0, 2, 6, 7), busy: fc.nat(3), busyTimeNs: fc.constantFrom(0n, 1n, 12_000_000n) }), { nil: undefined }),
    retain: fc.nat(99),
    props: fc.array(fc.tuple(word, value), { maxLength: 4 }),
  }), { maxLength: 12 })
  .map((nodes) => {
    const plane = "IOService";
    const entries: IORegistrySnapshotEntry[] = [{ id: 0x100000100n, className: "IORegistryEntry", planeNames: { [plane]: "Root" }, planeLocations: {}, properties: new Map(), children: {}, retain: 7 }];
    const kids: number[][] = [[]];
    nodes.forEach((n, i) => {
      const index = i + 1;
      (kids[n.parent % index] as number[]).push(index);
      kids.push([]);
      entries.push({
        id: 0x100000101n + BigInt(i),
        className: n.className,
        planeNames: { [plane]: n.name },
        planeLocations: n.location === undefined ? {} : { [plane]: n.location },
        properties: new Map(n.props),
        children: {},
        ...(n.service !== undefined ? { service: n.service } : {}),
        retain: n.retain,
      });
    });
    const linked = entries.map((e, i): IORegistrySnapshotEntry => {
      const children: Record<string, number[]> = (kids[i] as number[]).length > 0 ? { [plane]: kids[i] as number[] } : {};
      return { ...e, children };
    });
    return { planes: [plane], entries: linked };
  });

const styles: IORegTextStyle[] = [
  { ids: true, retainCount: false, planeHeader: false },
  { ids: false, retainCount: false, planeHeader: false },
  { ids: false, retainCount: true, planeHeader: false },
];

describe("ioreg text round trip", () => {
  it("prints back identically after import, with -l and without, in every style", () => {
    fc.assert(fc.property(snapshot, fc.constantFrom(...styles), fc.boolean(), (s, style, list) => {
      const text = formatIORegText(s, { style, list });
      const back = importIORegText(binaryToBytes(text)); // the renderer writes a byte string
      expect(back.problem).toBeUndefined();
      expect(formatIORegText(back.snapshot, { style: back.snapshot.textStyle, list })).toBe(text);
    }), { numRuns: 200 });
  });
});
