/**
 * `iokit otool [-fhlLDX] [-arch A|all] FILE…`: Mach-O headers and load commands as llvm-otool
 * prints them. Universal headers (-f) come first; then, per architecture, the `FILE:` line, the
 * dylibs used (-L) or the dylib id (-D), the mach header (-h) and load commands (-l).
 *
 * Divergence from llvm-otool 16: `-arch` selects slices as Apple's otool and llvm-objdump
 * --macho do (llvm-otool 16 ignores it and always shows the host slice).
 */
import { LC, MachOFormatError, archFromName, machOKind, openMachO, parseSlice, type MachOFile, type MachOImage } from "../../formats/index.ts";
import { hostArchName, readInput, writeBytes } from "../machoInput.ts";
import type { ToolIO } from "../ToolIO.ts";
import { dylibVersion, printLoadCommands, printMachHeader } from "./printLoadCommands.ts";
import { printMachHeaderVerbose } from "./verbose.ts";
import { printRelocations } from "./printRelocations.ts";

export const summary = "display Mach-O headers, load commands and linked libraries (llvm-otool compatible)";

interface Flags {
  h: boolean;
  l: boolean;
  L: boolean;
  D: boolean;
  f: boolean;
  X: boolean;
  v: boolean;
  r: boolean;
}

const USAGE = "USAGE: otool [-fhlLDXvr] [-arch <arch>|all] <file>...\n";

/** `--help` (llvm-otool's; -help is -h -e -l -p there too): the options this otool takes. */
const HELP = `OVERVIEW: Mach-O object file displaying tool (llvm-otool compatible)

USAGE: iokit otool [option...] [file...]

OPTIONS:
  -arch <value>           select slice of universal Mach-O file (all: every slice)
  -D                      print shared library id
  -f                      print universal headers
  --help                  print help
  -h                      print mach header
  -L                      print used shared libraries
  -l                      print load commands
  -r                      print relocation entries
  -v                      verbose output
  -X                      omit leading addresses or headers
`;

function fatHeaders(mf: MachOFile, size: number): string {
  const fat = mf.fat!;
  let o = "Fat headers\nfat_magic 0xcafebabe\n";
  o += `nfat_arch ${fat.arches.length}${8 + fat.arches.length * 20 > size ? " (malformed, architectures past end of file)" : ""}\n`;
  fat.arches.forEach((a, i) => {
    const dup = fat.arches.slice(0, i).some((b) => a.cputype !== 0 && a.cpusubtype !== 0 && b.cputype === a.cputype && (b.cpusubtype & 0xffffff) === (a.cpusubtype & 0xffffff));
    o += `architecture ${dup ? "(illegal duplicate architecture) " : ""}${i}\n    cputype ${a.cputype >>> 0}\n    cpusubtype ${a.cpusubtype & 0xffffff}\n`;
    o += `    capabilities 0x${((a.cpusubtype >>> 24) & 0xff).toString(16)}\n`;
    o += `    offset ${a.offset}${a.offset > size ? " (past end of file)" : ""}${a.offset % 2 ** a.align !== 0 ? ` (not aligned on it's alignment (2^${a.align})` : ""}\n`;
    o += `    size ${a.size}${a.offset + a.size > size ? " (past end of file)" : ""}\n    align 2^${a.align} (${2 ** a.align})\n`;
  });
  return o;
}

function dylibsUsed(image: MachOImage, justId: boolean): string {
  let o = "";
  for (const lc of image.loadCommands) {
    if (lc.kind !== "dylib" || (justId && lc.cmd !== LC.LC_ID_DYLIB)) continue;
    if (justId) {
      o += `${lc.name}\n`;
      continue;
    }
    o += `\t${lc.name} (compatibility version ${dylibVersion(lc.compatibilityVersion)}, current version ${dylibVersion(lc.currentVersion)}`;
    if (lc.cmd === LC.LC_LOAD_WEAK_DYLIB) o += ", weak";
    if (lc.cmd === LC.LC_REEXPORT_DYLIB) o += ", reexport";
    if (lc.cmd === LC.LC_LOAD_UPWARD_DYLIB) o += ", upward";
    if (lc.cmd === LC.LC_LAZY_LOAD_DYLIB) o += ", lazy";
    o += ")\n";
  }
  return o;
}

function processImage(image: MachOImage, file: string, arch: string, f: Flags): string {
  let o = "";
  if ((f.l || f.L || f.D || f.r) && !f.X) o += `${file}${arch !== "" ? ` (architecture ${arch})` : ""}:\n`;
  // Divergence from llvm-otool: -rv prints the numeric (non-verbose) relocation table.
  if (f.r) o += printRelocations(image);
  if (f.L) o += dylibsUsed(image, false);
  if (f.D) o += dylibsUsed(image, true);
  const header = f.v ? printMachHeaderVerbose(image) : printMachHeader(image);
  if (f.l) o += header + printLoadCommands(image, f.v);
  else if (f.h) o += header;
  return o;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const f: Flags = { h: false, l: false, L: false, D: false, f: false, X: false, v: false, r: false };
  const arches: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--help") {
      io.stdout(HELP);
      return 0;
    }
    if (a === "-arch" || a === "--arch") {
      const v = argv[++i];
      if (v === undefined) {
        io.stderr("otool: error: -arch requires an argument\n");
        return 1;
      }
      if (v !== "all" && archFromName(v) === undefined) {
        io.stderr(`otool: error: unknown architecture named '${v}'for the -arch option\n`);
        return 1;
      }
      arches.push(v);
    } else if (/^-[fhlLDXvr]+$/.test(a)) {
      for (const c of a.slice(1)) f[c as keyof Flags] = true;
    } else if (a.startsWith("-") && a !== "-") {
      io.stderr(`otool: error: unknown argument '${a}'\n${USAGE}`);
      return 1;
    } else {
      files.push(a);
    }
  }
  if (files.length === 0 || !(f.h || f.l || f.L || f.D || f.f || f.r)) {
    io.stderr(USAGE);
    return files.length === 0 ? 1 : 0;
  }
  const archAll = arches.includes("all");
  let status = 0;
  const out: string[] = [];
  const fail = (file: string, msg: string): void => {
    writeBytes(io, out.join(""));
    out.length = 0;
    io.stderr(`otool: error: '${file}': ${msg}\n`);
    status = 1;
  };
  for (const file of files) {
    let bytes: Uint8Array;
    let mf: MachOFile;
    try {
      bytes = readInput(file, io);
      if (machOKind(bytes) === "unknown") {
        fail(file, "object is not a Mach-O file type.");
        continue;
      }
      mf = openMachO(bytes);
    } catch (e) {
      fail(file, e instanceof MachOFormatError ? e.message.replace(/ \(at offset \d+\)$/, "") : (e as Error).message);
      continue;
    }
    const run = (index: number, arch: string): boolean => {
      try {
        out.push(processImage(parseSlice(mf, index), file, arch, f));
        return true;
      } catch (e) {
        if (!(e instanceof MachOFormatError)) throw e;
        fail(file, e.message.replace(/ \(at offset \d+\)$/, ""));
        return false;
      }
    };
    if (mf.fat === undefined) {
      const name = mf.slices[0]!.archName ?? "";
      if (arches.length > 0 && !archAll && !arches.includes(name)) {
        fail(file, "no architecture specified.");
        continue;
      }
      run(0, "");
      continue;
    }
    if (f.f) out.push(fatHeaders(mf, bytes.length));
    if (arches.length > 0 && !archAll) {
      for (const want of arches) {
        const idx = mf.slices.findIndex((s) => s.archName === want);
        if (idx < 0) {
          fail(file, `file does not contain architecture: ${want}`);
          break;
        }
        run(idx, arches.length > 1 ? want : "");
      }
      continue;
    }
    const host = hostArchName();
    const hostIdx = archAll || host === undefined ? -1 : mf.slices.findIndex((s) => s.archName === host);
    if (hostIdx >= 0) {
      run(hostIdx, "");
      continue;
    }
    const many = mf.slices.length > 1;
    for (let i = 0; i < mf.slices.length; i++) {
      if (!run(i, many ? (mf.slices[i]!.archName ?? "") : "")) break;
    }
  }
  writeBytes(io, out.join(""));
  return status;
}
