/**
 * Every Mach-O input the tool tests compare against LLVM: the corpus's Mach-O files (D_macho_npm,
 * E_fixtures/macho; the ELF negative sample included, flagged) and the fixtures built by
 * machoFixtures.ts.
 */
import { basename, dirname } from "node:path";
import { corpusFiles } from "./corpus.ts";
import { machOFixtures } from "./machoFixtures.ts";

export interface MachOInput {
  /** Label for the test name. */
  readonly label: string;
  readonly dir: string;
  readonly name: string;
  /** A file that is not Mach-O at all (the corpus's ELF sample). */
  readonly negative: boolean;
}

export function machOInputs(): MachOInput[] {
  const out: MachOInput[] = [];
  for (const p of [...corpusFiles("D_macho_npm"), ...corpusFiles("E_fixtures/macho")]) {
    out.push({ label: `corpus/${basename(p)}`, dir: dirname(p), name: basename(p), negative: basename(p).startsWith("NEGATIVE") });
  }
  const fx = machOFixtures();
  if (fx !== undefined) {
    for (const [name] of Object.entries(fx.files)) out.push({ label: `built/${name}`, dir: fx.dir, name, negative: false });
  }
  return out;
}
