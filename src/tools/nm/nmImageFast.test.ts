/**
 * nm's fast path against its general path: byte-identical lines for every Mach-O input (corpus and
 * built fixtures) under every option set it covers, and it really runs on the common case.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machOInputs } from "../../../test/support/machoInputs.ts";
import { MachOFormatError, openMachO, parseSlice } from "../../formats/macho/index.ts";
import { latin1 } from "../machoInput.ts";
import type { NmOptions } from "./NmOptions.ts";
import { nmImageFast } from "./nmImageFast.ts";
import { nmImage } from "./nmSymbols.ts";

const BASE: NmOptions = {
  format: "bsd", hex: false, debugSyms: false, externOnly: false, undefinedOnly: false, definedOnly: false,
  noWeak: false, noSort: false, numericSort: false, reverseSort: false, printFileName: false, demangle: undefined,
};
const VARIANTS: Array<[string, Partial<NmOptions>]> = [
  ["bsd", {}], ["-P", { format: "posix" }], ["-j", { format: "just-symbols" }], ["-g", { externOnly: true }],
  ["-u", { undefinedOnly: true }], ["-U", { definedOnly: true }], ["-W", { noWeak: true }], ["-P -g -U", { format: "posix", externOnly: true, definedOnly: true }],
];

function lines(image: ReturnType<typeof parseSlice>, opts: NmOptions, fast: boolean): string {
  const parts: string[] = [];
  nmImage(image, opts, "", { write: (s) => parts.push(s) }, fast ? latin1 : undefined);
  return parts.join("");
}

describe("nm's fast path", () => {
  const inputs = machOInputs().filter((i) => !i.negative);
  it.each(inputs.map((i) => [i.label, i] as const))("prints what the general path prints: %s", (_label, input) => {
    let file;
    try { file = openMachO(new Uint8Array(readFileSync(join(input.dir, input.name)))); } catch (e) { if (e instanceof MachOFormatError) return; throw e; }
    for (let k = 0; k < file.slices.length; k++) {
      let image;
      try { image = parseSlice(file, k); } catch (e) { if (e instanceof MachOFormatError) continue; throw e; }
      for (const [, v] of VARIANTS) {
        const opts = { ...BASE, ...v };
        expect(lines(image, opts, true)).toBe(lines(image, opts, false));
      }
    }
  });

  it("takes the common case and declines what it does not cover", () => {
    const big = inputs.filter((i) => i.label.startsWith("corpus/"))
      .map((i) => join(i.dir, i.name)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
    if (big === undefined) return;
    const image = parseSlice(openMachO(new Uint8Array(readFileSync(big))), 0);
    const fast = nmImageFast(image, { ...BASE, format: "posix" }, latin1);
    expect(fast?.count).toBeGreaterThan(1000);
    for (const v of [{ hex: true }, { format: "darwin" as const }, { debugSyms: true }, { numericSort: true }, { printFileName: true }, { demangle: (s: string) => s }]) {
      expect(nmImageFast(image, { ...BASE, ...v }, latin1)).toBeUndefined();
    }
  });
});
