import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { parseBinaryPlist, parseXMLPlist, writeBinaryPlist, writeXMLPlist } from "../../formats/index.ts";
import { dict, num, OSDate, real, type OSValue } from "../../libkern/index.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

let dir: string;
const sample = dict({
  Name: "Foo",
  Count: num(2n ** 64n - 1n),
  Ratio: real(1.5),
  Flag: true,
  Blob: new Uint8Array([1, 2, 3, 4]),
  When: new OSDate(0),
  list: ["a", dict({})],
  Empty: [],
});

async function run(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string; bytes: Uint8Array }> {
  const io = captureIO({ cwd: dir, stdin });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err(), bytes: io.outBytes() };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "plutil-"));
  writeFileSync(join(dir, "a.plist"), writeXMLPlist(sample));
  writeFileSync(join(dir, "b.bplist"), writeBinaryPlist(sample));
  writeFileSync(join(dir, "bad.plist"), "<plist>\n<dict>\n<key>a</key>\n<foo/>\n</dict></plist>");
});

describe("iokit plutil", () => {
  it("-lint says OK per file, names the line and column of a mistake, exits 1 on any failure", async () => {
    expect(await run(["a.plist", "b.bplist"])).toMatchObject({ code: 0, out: "a.plist: OK\nb.bplist: OK\n" });
    const r = await run(["-lint", "a.plist", "bad.plist", "missing.plist"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^a\.plist: OK\nbad\.plist: Encountered unknown tag <foo> at line 4, column \d+\nmissing\.plist: file does not exist/);
    expect(await run(["-lint", "-s", "a.plist"])).toMatchObject({ code: 0, out: "" });
  });

  it("names the file when it is not text in any plist format (not UTF-8), and goes on to the next", async () => {
    writeFileSync(join(dir, "garbage.bin"), new Uint8Array([0xff, 0xfe, 0xfd, 0x80, 0x81, 0xc3, 0x28]).subarray(2));
    const lint = await run(["-lint", "garbage.bin", "a.plist"]);
    expect(lint.code).toBe(1);
    expect(lint.out).toMatch(/^garbage\.bin: .*UTF-8.*\na\.plist: OK\n$/);
    const p = await run(["-p", "garbage.bin"]);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/^garbage\.bin: [^\n]*\n$/);
  });

  it("names the file when the output would be longer than a string can hold, and goes on", async () => {
    // 40,000 nested arrays: -p indents each line by its depth, so the text would be ~3.2e9 characters.
    const n = 40_000;
    writeFileSync(join(dir, "deep.plist"), `<plist version="1.0">${"<array>".repeat(n)}${"</array>".repeat(n)}</plist>`);
    const r = await run(["-p", "deep.plist", "a.plist"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("deep.plist: output is too large to produce (longer than the longest string JavaScript can hold)\n");
    expect(r.out).toContain('"Name" => "Foo"');
  });

  it("-p prints Apple's human-readable form", async () => {
    const r = await run(["-p", "b.bplist"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`{
  "Blob" => {length = 4, bytes = 0x01020304}
  "Count" => 18446744073709551615
  "Empty" => [
  ]
  "Flag" => 1
  "list" => [
    0 => "a"
    1 => {
    }
  ]
  "Name" => "Foo"
  "Ratio" => 1.5
  "When" => 2001-01-01 00:00:00 +0000
}
`);
    writeFileSync(join(dir, "d.plist"), writeXMLPlist(new Uint8Array(40).map((_, i) => i)));
    expect((await run(["-p", "d.plist"])).out).toBe("{length = 40, bytes = 0x00010203 04050607 08090a0b 0c0d0e0f ... 20212223 24252627 }\n");
  });

  it("-convert writes each format atomically, in place or to -o / -e, and reads stdin", async () => {
    expect((await run(["-convert", "binary1", "a.plist"])).code).toBe(0);
    const bin = readFileSync(join(dir, "a.plist"));
    expect(new TextDecoder().decode(bin.subarray(0, 8))).toBe("bplist00");
    expect(writeXMLPlist(parseBinaryPlist(bin))).toBe(writeXMLPlist(sample));
    expect((await run(["-convert", "xml1", "-e", "xml", "b.bplist"])).code).toBe(0);
    expect(readFileSync(join(dir, "b.xml"), "utf8")).toBe(writeXMLPlist(sample));
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const piped = await run(["-convert", "xml1", "-o", "-", "-"], writeXMLPlist(["x"]));
    expect(piped.out).toBe(writeXMLPlist(["x"]));
  });

  it("-convert json refuses data and dates with Apple's message, and -r pretty-prints", async () => {
    const r = await run(["-convert", "json", "-o", "-", "b.bplist"]);
    expect(r).toMatchObject({ code: 1, err: "b.bplist: invalid object in plist for destination format\n" });
    writeFileSync(join(dir, "j.plist"), writeXMLPlist(dict({ b: [num(1)], a: "x/y" })));
    expect((await run(["-convert", "json", "-o", "-", "j.plist"])).out).toBe('{"a":"x\\/y","b":[1]}');
    expect((await run(["-convert", "json", "-r", "-o", "-", "j.plist"])).out).toBe('{\n  "a" : "x\\/y",\n  "b" : [\n    1\n  ]\n}');
  });

  it("-extract writes a value as a new plist, or raw to stdout", async () => {
    expect((await run(["-extract", "list.0", "raw", "b.bplist"])).out).toBe("a\n");
    expect((await run(["-extract", "Count", "raw", "-n", "b.bplist"])).out).toBe("18446744073709551615");
    expect((await run(["-extract", "list", "xml1", "-o", "-", "b.bplist"])).out).toBe(writeXMLPlist(["a", new Map()]));
    const missing = await run(["-extract", "Nope.x", "raw", "b.bplist"]);
    expect(missing).toMatchObject({ code: 1, err: "b.bplist: Could not extract value, error: No value at that key path or invalid key path: Nope.x\n" });
    expect((await run(["-extract", "Name", "raw", "-expect", "integer", "b.bplist"])).code).toBe(1);
    expect((await run(["-type", "list", "b.bplist"])).out).toBe("array\n");
  });

  it("-insert, -replace and -remove edit in place and keep the file's format", async () => {
    expect((await run(["-insert", "New", "-integer", "-5", "b.bplist"])).code).toBe(0);
    expect((await run(["-insert", "list.1", "-bool", "YES", "b.bplist"])).code).toBe(0);
    expect((await run(["-insert", "list", "-string", "z", "-append", "b.bplist"])).code).toBe(0);
    expect((await run(["-replace", "Name", "-json", '{"k":[1,2.5]}', "b.bplist"])).code).toBe(0);
    expect((await run(["-remove", "Blob", "b.bplist"])).code).toBe(0);
    const v = parseBinaryPlist(readFileSync(join(dir, "b.bplist"))) as Map<string, OSValue>;
    expect(v.get("New")).toEqual(num(-5));
    expect(v.get("list")).toEqual(["a", true, new Map(), "z"]);
    expect(v.get("Name")).toEqual(dict({ k: [num(1), real(2.5)] }));
    expect(v.has("Blob")).toBe(false);
    const again = await run(["-insert", "New", "-integer", "1", "b.bplist"]);
    expect(again).toMatchObject({ code: 1, err: "b.bplist: Could not modify plist, error: Value already exists at key path New\n" });
    expect((await run(["-remove", "Nope", "a.plist"])).err).toBe("a.plist: Could not modify plist, error: No value to remove at key path Nope\n");
    expect((await run(["-insert", "x", "-bool", "maybe", "a.plist"])).code).toBe(1);
    expect(parseXMLPlist(readFileSync(join(dir, "a.plist")))).toEqual(sample);
  });

  it("reports usage mistakes in one line plus usage, exit 1", async () => {
    for (const args of [[], ["-convert", "yaml", "a.plist"], ["-bogus", "a.plist"], ["-convert", "xml1", "-o", "x", "a.plist", "b.bplist"]]) {
      const r = await run(args);
      expect(r.code).toBe(1);
      expect(r.err.split("\n")[0]).not.toBe("");
    }
    expect((await run(["-help"])).code).toBe(0);
    expect((await run(["--", "-lint"])).out).toMatch(/^-lint: file does not exist/);
  });
});
