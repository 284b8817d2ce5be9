/**
 * fast-check arbitraries for typed property-list trees, with the edges that break codecs: 64-bit
 * boundaries, 2^64-1 and 128-bit integers, negative values, NaN and infinities, float32 reals,
 * non-BMP and lone-surrogate strings, empty containers and empty keys. Set members are distinct
 * (a CFSet cannot hold two equal values).
 *
 * `xml: true` restricts values to what an XML plist can carry back unchanged: characters XML 1.0
 * allows (no `\r`, which XML normalizes), whole-second dates, no -0 (CF writes it `0.0`), no sets.
 */
import fc from "fast-check";
import { OSDate, OSNumber, OSReal, OSUID, type OSValue } from "../../src/libkern/index.ts";
import { typedText } from "./typedPlist.ts";

const INT_EDGES = [0n, 1n, -1n, 255n, 256n, 65535n, 65536n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 127n), 2n ** 127n - 1n, 2n ** 128n - 1n];

function xmlSafe(s: string): string {
  // Drop what XML 1.0 cannot carry (C0 controls but tab and newline, \r, lone surrogates, U+FFFE/F).
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "");
}

/** Typed plist trees. */
export function plistValue(options: { xml?: boolean; maxDepth?: number } = {}): fc.Arbitrary<OSValue> {
  const xml = options.xml ?? false;
  const str = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.string({ maxLength: 12 }),
    fc.constantFrom("", "&<>\"'", "\u{1F600}", "\u00e9\u4e2d", "\t\n", " lead and trail "),
  ).map((s) => (xml ? xmlSafe(s) : s));
  const edges = xml ? INT_EDGES : INT_EDGES.filter((v) => v < 2n ** 127n);
  const integer = fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), fc.integer()).map(
    (v) => new OSNumber(BigInt(v), 64),
  );
  const double = fc.double().filter((d) => !(xml && Object.is(d, -0)));
  const realArb = fc.oneof(
    double.map((d) => new OSReal(d)),
    fc.float({ noNaN: false }).filter((f) => !(xml && Object.is(f, -0))).map((f) => new OSReal(Math.fround(f), 32)),
  );
  const date = xml
    ? fc.integer({ min: -62_000_000_000, max: 250_000_000_000 }).map((s) => new OSDate(s))
    : fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }).map((t) => new OSDate(t));
  const uid = fc.integer({ min: 0, max: 0xffffffff }).map((n) => new OSUID(n));
  const data = fc.uint8Array({ maxLength: 80 });
  const leaf: fc.Arbitrary<OSValue> = fc.oneof(str, fc.boolean(), integer, realArb, date, uid, data);
  const { tree } = fc.letrec<{ tree: OSValue }>((tie) => ({
    tree: fc.oneof(
      { maxDepth: options.maxDepth ?? 4, depthIdentifier: "plist" },
      leaf,
      fc.array(tie("tree"), { maxLength: 5 }),
      fc.uniqueArray(fc.tuple(str, tie("tree")), { maxLength: 5, selector: (e) => e[0] }).map((entries) => new Map(entries)),
      ...(xml ? [] : [fc.uniqueArray(tie("tree"), { maxLength: 4, selector: typedText }).map((items) => new Set(items))]),
    ),
  }));
  return tree;
}
