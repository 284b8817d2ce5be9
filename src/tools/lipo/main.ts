/**
 * `iokit lipo`: inspects and builds universal (fat) Mach-O files with llvm-lipo's actions, messages
 * and exit codes: `-info`, `-archs`, `-verify_arch A…`, `-thin A`, `-extract A`, `-create`, always
 * with `-output F` for the writing actions. Output files are written to a temporary name beside
 * the target and renamed into place, so a failed run never leaves a half-written file; they are
 * executable when any input is.
 */
import { renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve, basename } from "node:path";
import {
  MachOFormatError, archFromName, buildFatFile, lipoArchName, machOKind, openMachO, parseSlice, type FatSliceInput, type MachOFile,
} from "../../formats/index.ts";
import { readInput } from "../machoInput.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "inspect, thin, extract and create universal Mach-O files (llvm-lipo compatible)";

const VALID = "i386 x86_64 x86_64h armv4t arm armv5e armv6 armv6m armv7 armv7em armv7k armv7m armv7s arm64 arm64e arm64_32 ppc ppc64";

class LipoError extends Error {}

/** `-help`, `--help`, `-h`: the actions this lipo takes, in llvm-lipo's layout. */
const HELP = `OVERVIEW: iokit lipo (llvm-lipo compatible)

USAGE: iokit lipo input[s] option[s]

OPTIONS:
  -archs                Display the arch_types present in the input file
  -arch <value> <value> Specifies the architecture and the corresponding input file
  -create               Create a universal binary output file from the input files. Requires -output option
  -extract <value>      Create a universal output file containing only the specified arch_type from the fat input file. Requires -output option
  -info                 Display descriptions of each input file including filename and arch_types. Groups universal binaries together followed by thin files
  -output <value>       Create output file with specified name
  -thin <value>         Create a thin output file of specified arch_type from the fat input file. Requires -output option
  -verify_arch <value>  Verify that the specified arch_types are present in the input file
`;

interface Args {
  inputs: string[];
  actions: { name: string; values: string[] }[];
  output: string | undefined;
}

const ACTIONS: Record<string, number> = { info: 0, archs: 0, create: 0, thin: 1, extract: 1, verify_arch: -1 };

function parse(argv: string[]): Args {
  const a: Args = { inputs: [], actions: [], output: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("-") || arg === "-") {
      a.inputs.push(arg);
      continue;
    }
    const name = arg.replace(/^--?/, "");
    if (name === "output") {
      const v = argv[++i];
      if (v === undefined) throw new LipoError("-output: missing argument");
      if (a.output !== undefined) throw new LipoError("output expects a single output file");
      a.output = v;
      continue;
    }
    if (name === "arch") {
      const arch = argv[++i];
      const file = argv[++i];
      if (arch === undefined || file === undefined) throw new LipoError("-arch: missing argument");
      a.inputs.push(file);
      continue;
    }
    const n = ACTIONS[name];
    if (n === undefined) throw new LipoError(`unknown argument '${arg}'`);
    const values: string[] = [];
    if (n === 1) {
      const v = argv[++i];
      if (v === undefined) throw new LipoError(`-${name}: missing argument`);
      values.push(v);
    } else if (n === -1) {
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("-")) values.push(argv[++i] as string);
    }
    a.actions.push({ name, values });
  }
  return a;
}

function open(path: string, io: ToolIO): MachOFile {
  let bytes: Uint8Array;
  try {
    bytes = readInput(path, io);
  } catch (e) {
    throw new LipoError(`'${path}': ${(e as Error).message}`);
  }
  if (machOKind(bytes) === "unknown") throw new LipoError(`File ${path} has unsupported binary format`);
  try {
    const mf = openMachO(bytes);
    for (let i = 0; i < mf.slices.length; i++) parseSlice(mf, i);
    return mf;
  } catch (e) {
    if (e instanceof MachOFormatError) throw new LipoError(`'${path}': ${e.message.replace(/ \(at offset \d+\)$/, "")}`);
    throw e;
  }
}

function names(mf: MachOFile): string {
  return mf.slices.map((s) => lipoArchName(s.cputype, s.cpusubtype)).join(" ");
}

function checkArch(arch: string): void {
  if (archFromName(arch) === undefined) throw new LipoError(`Invalid architecture: ${arch}\nValid architecture names are: ${VALID}`);
}

/** Writes `data` to `path` atomically (temporary file + rename). */
function writeAtomically(path: string, data: Uint8Array, executable: boolean): void {
  const tmp = resolve(dirname(path), `.${basename(path)}.lipo-${process.pid}-${Date.now()}`);
  try {
    writeFileSync(tmp, data, { mode: executable ? 0o777 : 0o666 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file may never have been created.
    }
    throw new LipoError(`${path}: ${(e as Error).message}`);
  }
}

function isExecutable(path: string, io: ToolIO): boolean {
  try {
    return (statSync(resolve(io.cwd, path)).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** P2 alignment of a thin image in a new fat file: the page size of its CPU family. */
function alignmentOf(mf: MachOFile, index: number): number {
  const s = mf.slices[index]!;
  if (mf.fat !== undefined) return s.align;
  switch (s.cputype) {
    case 7: case 0x01000007: case 18: case 0x01000012:
      return 12;
    case 12: case 0x0100000c: case 0x0200000c:
      return 14;
    default: {
      const image = parseSlice(mf, index);
      let p2 = 15;
      for (const seg of image.segments) {
        let cur: number;
        if (image.header.filetype === 1) {
          cur = seg.sections.length > 0 ? 2 : 15;
          for (const sec of seg.sections) cur = Math.max(cur, sec.align);
        } else {
          cur = 0;
          let v = seg.vmaddr;
          if (v === 0n) cur = 64;
          else while ((v & 1n) === 0n) { v >>= 1n; cur++; }
        }
        p2 = Math.min(p2, cur);
      }
      return Math.max(2, Math.min(p2, 15));
    }
  }
}

function run(a: Args, io: ToolIO): number {
  if (a.actions.length === 0) throw new LipoError("at least one action should be specified");
  if (a.actions.length > 1) throw new LipoError(`only one of the following actions can be specified: ${a.actions.map((x) => `-${x.name}`).join(" ")}`);
  const action = a.actions[0]!;
  if (a.inputs.length === 0) throw new LipoError("at least one input file should be specified");
  const one = (what: string): string => {
    if (a.inputs.length !== 1) throw new LipoError(`${what} expects a single input file`);
    return a.inputs[0]!;
  };
  const output = (what: string): string => {
    if (a.output === undefined) throw new LipoError(`${what} expects a single output file`);
    return resolve(io.cwd, a.output);
  };
  switch (action.name) {
    case "info": {
      const files = a.inputs.map((p) => ({ p, mf: open(p, io) }));
      let o = "";
      for (const { p, mf } of files) if (mf.fat !== undefined) o += `Architectures in the fat file: ${p} are: ${names(mf)} \n`;
      for (const { p, mf } of files) if (mf.fat === undefined) o += `Non-fat file: ${p} is architecture: ${names(mf)} \n`;
      io.stdout(o);
      return 0;
    }
    case "archs":
      io.stdout(`${names(open(one("archs"), io))} \n`);
      return 0;
    case "verify_arch": {
      const mf = open(one("verify_arch"), io);
      for (const v of action.values) checkArch(v);
      const have = new Set(mf.slices.map((s) => lipoArchName(s.cputype, s.cpusubtype)));
      return action.values.every((v) => have.has(v)) ? 0 : 1;
    }
    case "thin":
    case "extract": {
      const arch = action.values[0]!;
      const input = one(action.name);
      const out = output(action.name);
      checkArch(arch);
      const mf = open(input, io);
      if (mf.fat === undefined) throw new LipoError(`input file ${input} must be a fat file when the -${action.name} option is specified`);
      const idx = mf.slices.findIndex((s) => lipoArchName(s.cputype, s.cpusubtype) === arch);
      if (idx < 0) {
        throw new LipoError(action.name === "thin"
          ? `fat input file ${input} does not contain the specified architecture ${arch} to thin it to`
          : `fat input file ${input} does not contain the specified architecture ${arch}`);
      }
      const s = mf.slices[idx]!;
      const data = action.name === "thin" ? s.bytes : buildFatFile([{ cputype: s.cputype, cpusubtype: s.cpusubtype, align: s.align, bytes: s.bytes }]);
      writeAtomically(out, data, isExecutable(input, io));
      return 0;
    }
    case "create": {
      const out = output("create");
      const slices: (FatSliceInput & { from: string; name: string })[] = [];
      for (const p of a.inputs) {
        const mf = open(p, io);
        mf.slices.forEach((s, i) => {
          const name = lipoArchName(s.cputype, s.cpusubtype);
          const dup = slices.find((x) => x.cputype === s.cputype && (x.cpusubtype & 0xffffff) === (s.cpusubtype & 0xffffff));
          if (dup !== undefined) throw new LipoError(`${dup.from} and ${p} have the same architecture ${name} and therefore cannot be in the same universal binary`);
          slices.push({ cputype: s.cputype, cpusubtype: s.cpusubtype, align: alignmentOf(mf, i), bytes: s.bytes, from: p, name });
        });
      }
      writeAtomically(out, buildFatFile(slices), a.inputs.some((p) => isExecutable(p, io)));
      return 0;
    }
    default:
      throw new LipoError(`unknown action -${action.name}`);
  }
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  if (argv.some((a) => a === "-h" || a === "-help" || a === "--help")) {
    io.stdout(HELP);
    return 0;
  }
  try {
    return run(parse(argv), io);
  } catch (e) {
    if (e instanceof LipoError) {
      io.stderr(`lipo: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

