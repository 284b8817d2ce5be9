/**
 * Fidelity on real dumps: `iokit ioreg --import DUMP -l` must reproduce every real `ioreg -l` text
 * dump of the corpus with at least 99.5% identical lines (tree-only dumps: without -l). The
 * remaining differences are classed in docs/divergences.md.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { corpusDir, corpusFiles } from "../../../test/support/corpus.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const dumps = corpusFiles("B_ioreg", (p) => {
  const head = readFileSync(p).subarray(0, 64).toString("latin1");
  return head.startsWith("+-o ") || /^[A-Za-z]+:\n\+-o /.test(head);
});

/** Percentage of line positions where both texts hold the same bytes. */
function sameLines(want: Buffer, got: Uint8Array): number {
  const a = want.toString("latin1").split("\n");
  const b = Buffer.from(got).toString("latin1").split("\n");
  const n = Math.max(a.length, b.length);
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return (100 * same) / n;
}

describe.skipIf(corpusDir() === undefined)("iokit ioreg --import on real dumps", () => {
  it("finds the text dumps", () => {
    expect(dumps.length).toBeGreaterThan(20);
  });

  for (const file of dumps) {
    it(`reproduces ${basename(file)}`, async () => {
      const original = readFileSync(file);
      const treeOnly = !original.includes("\n  | {\n");
      const io = captureIO();
      expect(await main(["--import", file, ...(treeOnly ? [] : ["-l"])], io)).toBe(0);
      const pct = sameLines(original, io.outBytes());
      process.stdout.write(`ioreg fidelity ${pct.toFixed(3)}% ${basename(file)}\n`);
      expect(pct).toBeGreaterThanOrEqual(99.5);
    });
  }
});
