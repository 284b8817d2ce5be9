/**
 * `iokit ioclasscount --import` on real registry dumps (corpus B_ioreg) that carry the root's
 * `IOKitDiagnostics`: every class printed once, sorted as ioclasscount sorts, with the dump's
 * numbers; and Apple's counting rule seen in real data — a class with live instances makes its
 * superclass's count at least 1.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { APPLE_CLASS_LINKS } from "../../kernel/index.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const dumps = corpusFiles("B_ioreg", (p) => readFileSync(p).includes("IOKitDiagnostics"));

describe.skipIf(dumps.length === 0)("iokit ioclasscount --import on real dumps", () => {
  it.each(dumps.map((d, i) => [d.split("/").slice(-2).join("/"), d, i]))("%s", async (_name, path, i) => {
    const io = captureIO();
    const status = await main(["--import", path as string], io);
    if (status !== 0) {
      // A dump whose root kept no class table says so with ioclasscount's own message.
      expect(io.err()).toMatch(/^Error: (Allocation|Class) information missing\.\n$/);
      return;
    }
    const lines = io.out().trimEnd().split("\n");
    const counts = new Map(lines.map((l) => {
      const [name, n] = l.split(" = ") as [string, string];
      return [name, Number(n)] as const;
    }));
    expect(counts.size).toBe(lines.length);
    const names = [...counts.keys()];
    const fold = names.map((n) => n.toLowerCase());
    for (let i = 1; i < fold.length; i++) expect((fold[i - 1] as string) <= (fold[i] as string)).toBe(true);
    let checked = 0;
    for (const [cls, sup] of APPLE_CLASS_LINKS) {
      const c = counts.get(cls);
      const s = counts.get(sup);
      if (c === undefined || s === undefined || c <= 0) continue;
      expect(s, `${cls} = ${c} but its superclass ${sup} = ${s}`).toBeGreaterThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    if ((i as number) % 4 !== 0) return; // the named form once in a while: importing is the slow part
    const one = captureIO();
    await main(["--import", path as string, names[0] as string, "NoSuchClassAnywhere"], one);
    expect(one.out()).toBe(`${names[0]} = ${counts.get(names[0] as string)}, NoSuchClassAnywhere = <no such class>\n`);
  });
});

describe("iokit ioclasscount --import errors", () => {
  it("names the file in one line", async () => {
    const io = captureIO();
    expect(await main(["--import", "/nonexistent/dump.txt"], io)).toBe(1);
    expect(io.err()).toBe("ioclasscount: error: /nonexistent/dump.txt: can't open: ENOENT.\n");
  });

  it("needs a file name", async () => {
    const io = captureIO();
    expect(await main(["--import"], io)).toBe(64);
    expect(io.err()).toBe("usage: ioclasscount [--import FILE] [classname ...]\n");
  });
});
