import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OSNumber, num, osEqual, type OSValue } from "../../libkern/index.ts";
import { dataIsStrings, formatIORegData, formatIORegValue } from "./formatIORegValue.ts";
import { IORegValueReader, binaryToBytes, textToBinary } from "./parseIORegValue.ts";

const read = (text: string): OSValue | undefined => new IORegValueReader(textToBinary(text)).readValue("");
const bytes = (s: string): Uint8Array => binaryToBytes(s);

describe("IORegValueReader", () => {
  it("reads every cfshow form", () => {
    expect(read('"hello"')).toBe("hello");
    expect(read("Yes")).toBe(true);
    expect(read("No")).toBe(false);
    expect(read("536870912")).toEqual(num(536870912));
    expect(read("0x20000000")).toEqual(num(0x20000000));
    expect(read("<0a0b>")).toEqual(new Uint8Array([10, 11]));
    expect(read('<"J313AP","MacBookAir10,1">')).toEqual(bytes("J313AP\0MacBookAir10,1\0"));
    expect(read("(1,2)")).toEqual([num(1), num(2)]);
    expect(read("[1]")).toEqual(new Set([num(1)]));
    expect(read('{"a"=1,"b"={"c"=()}}')).toEqual(new Map<string, OSValue>([["a", num(1)], ["b", new Map([["c", []]])]]));
    expect(read("{}")).toEqual(new Map());
  });

  it("keeps values printed as %qu of a negative long long as that signed value", () => {
    const v = read("18446744072635809794") as OSNumber;
    expect(v.value).toBe(-1073741822n);
    expect(formatIORegValue(v)).toBe("18446744072635809794");
  });

  it("recovers strings holding quotes, commas and newlines by their context", () => {
    expect(read('"a "quoted", b"')).toBe('a "quoted", b');
    expect(read('{"k"="x,y","z"=1}')).toEqual(new Map<string, OSValue>([["k", "x,y"], ["z", num(1)]]));
    const r = new IORegValueReader('"line1\nline2"\nnext');
    expect(r.readValue("")).toBe("line1\nline2");
    expect(r.pos).toBe(13);
  });

  it("refuses what is not ioreg syntax (the importer keeps it verbatim)", () => {
    for (const bad of ["<--->", "<0a0>", "(1,", '{"a"}', "maybe", "1 2", "99999999999999999999999"]) expect(read(bad)).toBeUndefined();
  });

  it("bounds nesting", () => {
    expect(read(`${"(".repeat(10_000)}${")".repeat(10_000)}`)).toBeUndefined();
  });
});

describe("ioreg's data rule", () => {
  it("prints NUL-terminated printable runs as strings and everything else as hex", () => {
    expect(formatIORegData(bytes("J313\0"))).toBe('"J313"');
    expect(formatIORegData(bytes("a\0b\0"))).toBe('"a","b"');
    expect(formatIORegData(bytes("ab"))).toBe('"ab"');
    expect(formatIORegData(bytes("t8103\0\0\0"))).toBe("7438313033000000");
    expect(formatIORegData(bytes(" \0\0\0"))).toBe("20000000");
    expect(formatIORegData(bytes("a"))).toBe("61");
    expect(formatIORegData(bytes("\0abc"))).toBe("00616263");
    expect(formatIORegData(new Uint8Array())).toBe("");
    expect(formatIORegData(bytes("ab"), true)).toBe("6162");
  });

  it("accepts high bytes only while at least 80% of the characters are normal", () => {
    expect(dataIsStrings(bytes("abcd\xe9"))).toBe(true);
    expect(dataIsStrings(bytes("abc\xe9"))).toBe(false);
  });
});

/** Values that ioreg's text can express: no reals, dates or UIDs; data as bytes. */
const ioregValue: fc.Arbitrary<OSValue> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.string().filter((s) => !s.includes('"')),
    fc.boolean(),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map((n) => num(n)),
    fc.uint8Array({ maxLength: 12 }),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(fc.string().filter((s) => !s.includes('"')), tie("v"), { maxKeys: 3 }).map((o) => new Map(Object.entries(o))),
  ),
})).v as fc.Arbitrary<OSValue>;

describe("round trip", () => {
  it("printing what was read prints the same text", () => {
    fc.assert(fc.property(ioregValue, (v) => {
      const text = formatIORegValue(v);
      const back = new IORegValueReader(text).readValue("");
      expect(back).toBeDefined();
      expect(formatIORegValue(back as OSValue)).toBe(text);
    }));
  });

  it("reads back equal values when strings hold no syntax characters", () => {
    const plain = fc.string({ unit: fc.constantFrom("a", "b", " ", "é", "1") });
    fc.assert(fc.property(fc.array(fc.tuple(plain, fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }))), (pairs) => {
      const v = new Map<string, OSValue>(pairs.map(([k, n]) => [k, num(n)]));
      const back = new IORegValueReader(formatIORegValue(v)).readValue("") as OSValue;
      expect(osEqual(back, v)).toBe(true);
    }));
  });
});

describe("legacy string encodings", () => {
  it("decodes strings that are not UTF-8 as Mac OS Roman and can write them back", () => {
    const r = new IORegValueReader('"\xe5\xcaSvetlana"');
    expect(r.readValue("")).toBe("Â\u00a0Svetlana");
    expect(r.stats).toEqual({ utf8: 0, macRoman: 1 });
    expect(formatIORegValue("Â\u00a0Svetlana", { macRoman: true })).toBe('"\xe5\xcaSvetlana"');
    expect(formatIORegValue("Â\u00a0Svetlana")).toBe('"\xc3\x82\xc2\xa0Svetlana"');
    expect(formatIORegValue("日本", { macRoman: true })).toBe('"\xe6\x97\xa5\xe6\x9c\xac"');
  });
});
