/**
 * Fidelity on real dumps: `iokit ioreg --import DUMP -l` must reproduce every real `ioreg -l` text
 * dump of the corpus with at least 99.5% identical lines (tree-only dumps: without -l). The
 * remaining differences are classed in docs/divergences.md. Every IORegistryExplorer save opens;
 * `ioreg -a` of every dump re-imports to the same registry; and where a machine has both a text
 * dump and a save, the two agree on the IOService plane as far as two captures of one machine can.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { snapshotDifference, type IORegistrySnapshot } from "../../formats/index.ts";
import { describe, expect, it } from "vitest";
import { corpusDir, corpusFiles } from "../../../test/support/corpus.ts";
import { captureIO } from "../ToolIO.ts";
import { importDump } from "./loadDump.ts";
import { main } from "./main.ts";

const saves = corpusFiles("B_ioreg", (p) => p.endsWith(".ioreg") && readFileSync(p).subarray(0, 8).toString("latin1") === "bplist00");

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
      if (basename(file).includes("IODeviceTree")) expect(importDump(original).snapshot.planes[0]).toBe("IODeviceTree");
      process.stdout.write(`ioreg fidelity ${pct.toFixed(3)}% ${basename(file)}\n`);
      expect(pct).toBeGreaterThanOrEqual(99.5);
    });
  }
});

/** Class names of the entries reachable in `plane`, one per entry. */
function classesInPlane(s: IORegistrySnapshot, plane: string): string[] {
  const seen = new Set([0]);
  const stack = [0];
  while (stack.length > 0) {
    for (const k of s.entries[stack.pop() as number]?.children[plane] ?? []) {
      if (!seen.has(k)) {
        seen.add(k);
        stack.push(k);
      }
    }
  }
  return [...seen].map((i) => s.entries[i]?.className as string);
}

describe.skipIf(corpusDir() === undefined)("registry dumps in other forms", () => {
  it("finds the saves", () => {
    expect(saves.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of saves) {
    it(`opens ${basename(file)}`, async () => {
      const io = captureIO();
      expect(await main(["--import", file, "-l"], io)).toBe(0);
      expect(io.err()).toBe("");
      expect(io.out().startsWith("+-o Root  <class IORegistryEntry")).toBe(true);
      const { snapshot, problem } = importDump(readFileSync(file));
      expect(problem).toBeUndefined();
      expect(snapshot.planes).toContain("IODeviceTree");
      expect(classesInPlane(snapshot, "IOService").length).toBeGreaterThan(300);
    });
  }

  // Both captures come from one machine, but at different times (and for the iMac, different OS
  // builds), so user clients and USB devices come and go: the driver classes must agree almost
  // entirely and the entry counts closely. Exact figures are printed.
  for (const machine of ["MacBookPro7-1", "iMac16-1"]) {
    const text = dumps.find((f) => basename(f).startsWith(`${machine}__ioreg-l`));
    const save = saves.find((f) => basename(f).startsWith(`${machine}__`));
    it.skipIf(text === undefined || save === undefined)(`agrees with the text dump of ${machine}`, () => {
      const a = classesInPlane(importDump(readFileSync(text as string)).snapshot, "IOService");
      const b = classesInPlane(importDump(readFileSync(save as string)).snapshot, "IOService");
      const ca = new Set(a);
      const cb = new Set(b);
      const common = [...ca].filter((c) => cb.has(c)).length;
      const jaccard = common / new Set([...ca, ...cb]).size;
      process.stdout.write(`ioreg ${machine}: text ${a.length} entries/${ca.size} classes, save ${b.length} entries/${cb.size} classes, ${(100 * jaccard).toFixed(1)}% classes shared\n`);
      expect(jaccard).toBeGreaterThanOrEqual(0.95);
      expect(Math.abs(a.length - b.length) / a.length).toBeLessThan(0.1);
    });
  }

  for (const file of [...dumps, ...saves]) {
    it(`round-trips ${basename(file)} through ioreg -a`, async () => {
      const original = importDump(readFileSync(file)).snapshot;
      const plane = original.planes[0] as string;
      const io = captureIO();
      expect(await main(["--import", file, "-a", "-l", "-p", plane], io)).toBe(0);
      const xml = join(mkdtempSync(join(tmpdir(), "ioreg-a-")), "archive.xml");
      writeFileSync(xml, io.outBytes());
      const again = importDump(readFileSync(xml), { plane }).snapshot;
      expect(snapshotDifference(original, again, plane)).toBeUndefined();
    });
  }
});
