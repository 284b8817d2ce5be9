/**
 * `iokit nm [options] FILE…`: lists the symbols of Mach-O files, fat or thin, as llvm-nm (and
 * Apple's nm, which is llvm-nm) prints them. Fat files show the host architecture's slice when it
 * has one, else every slice under `FILE (for architecture A):`; `-arch A|all` chooses explicitly.
 */
// Mach-O only, not the formats barrel: nm's chunk then loads neither the plist codecs nor the
// C++ demangler, which -C imports on demand.
import { MachOFormatError, archFromName, openMachO, parseSlice, type MachOFile } from "../../formats/macho/index.ts";
import { ByteSink, hostArchName, latin1, readInputForSymbols } from "../machoInput.ts";
import type { ToolIO } from "../ToolIO.ts";
import { nmImage, type NmOptions } from "./nmSymbols.ts";

export const summary = "display the symbol table of Mach-O files (llvm-nm compatible)";

const LONG_FLAGS: Record<string, (o: NmOptions) => void> = {
  "debug-syms": (o) => { o.debugSyms = true; },
  "defined-only": (o) => { o.definedOnly = true; },
  "undefined-only": (o) => { o.undefinedOnly = true; },
  "extern-only": (o) => { o.externOnly = true; },
  "no-weak": (o) => { o.noWeak = true; },
  "no-sort": (o) => { o.noSort = true; },
  "numeric-sort": (o) => { o.numericSort = true; },
  "reverse-sort": (o) => { o.reverseSort = true; },
  "print-file-name": (o) => { o.printFileName = true; },
  portability: (o) => { o.format = "posix"; },
  "just-symbols": (o) => { o.format = "just-symbols"; },
  quiet: () => {},
  "no-dyldinfo": () => {},
  "no-llvm-bc": () => {},
};
const SHORT_FLAGS: Record<string, (o: NmOptions) => void> = {
  a: LONG_FLAGS["debug-syms"]!, U: LONG_FLAGS["defined-only"]!, u: LONG_FLAGS["undefined-only"]!,
  g: LONG_FLAGS["extern-only"]!, W: LONG_FLAGS["no-weak"]!, p: LONG_FLAGS["no-sort"]!, n: LONG_FLAGS["numeric-sort"]!,
  v: LONG_FLAGS["numeric-sort"]!, r: LONG_FLAGS["reverse-sort"]!, A: LONG_FLAGS["print-file-name"]!,
  o: LONG_FLAGS["print-file-name"]!, P: (o) => { o.format = "posix"; }, m: (o) => { o.format = "darwin"; },
  j: (o) => { o.format = "just-symbols"; }, B: (o) => { o.format = "bsd"; }, x: (o) => { o.hex = true; },
};

interface Parsed {
  opts: NmOptions;
  archAll: boolean;
  arches: string[];
  files: string[];
  demangleRequested: boolean;
  quiet: boolean;
}

class UsageError extends Error {}

/** `--help`: the options this nm takes, in llvm-nm's layout. */
const HELP = `OVERVIEW: iokit symbol table dumper (llvm-nm compatible, Mach-O)

USAGE: iokit nm [options] <input object files>

OPTIONS:
  -A, -o            Alias for --print-file-name
  -a                Alias for --debug-syms
  --arch=<value>    architecture(s) from a Mach-O file to dump (all: every slice)
  -B                Alias for --format=bsd
  -C                Alias for --demangle
  --debug-syms      Show all symbols, even debugger only
  --defined-only    Show only defined symbols
  --demangle        Demangle C++ symbol names
  --extern-only     Show only external symbols
  --format=<format> Specify output format: bsd (default), posix, darwin, just-symbols
  -f <format>       Alias for --format
  -g                Alias for --extern-only
  --help            Display this help
  -h                Alias for --help
  -j                Alias for --format=just-symbols
  -m                Alias for --format=darwin
  --no-demangle     Don't demangle symbol names
  --no-sort         Show symbols in order encountered
  --no-weak         Show only non-weak symbols
  --numeric-sort    Sort symbols by address
  -n, -v            Alias for --numeric-sort
  --portability     Alias for --format=posix
  --print-file-name Precede each symbol with the object file it came from
  -P                Alias for --format=posix
  -p                Alias for --no-sort
  --quiet           Suppress 'no symbols' diagnostic
  --reverse-sort    Sort in reverse order
  -r                Alias for --reverse-sort
  --undefined-only  Show only undefined symbols
  -U                Alias for --defined-only
  -u                Alias for --undefined-only
  -W                Alias for --no-weak
  -x                Print symbol values in hex (with -m)
`;

/** Thrown by the parser when --help (or -h) asks for {@link HELP}. */
class HelpRequested extends Error {}

function parseArgs(argv: string[]): Parsed {
  const opts: NmOptions = {
    format: "bsd", hex: false, debugSyms: false, externOnly: false, undefinedOnly: false, definedOnly: false,
    noWeak: false, noSort: false, numericSort: false, reverseSort: false, printFileName: false, demangle: undefined,
  };
  const p: Parsed = { opts, archAll: false, arches: [], files: [], demangleRequested: false, quiet: false };
  const addArch = (v: string): void => {
    for (const a of v.split(",").filter((x) => x !== "")) {
      if (a === "all") p.archAll = true;
      else if (archFromName(a) !== undefined) p.arches.push(a);
      else throw new UsageError(`for the --arch option: Unknown architecture named '${a}'`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      p.files.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      p.files.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const value = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (arg === "-h" || key === "help") throw new HelpRequested();
    if (key === "arch") {
      const v = value ?? argv[++i];
      if (v === undefined) throw new UsageError("for the --arch option: requires a value!");
      addArch(v);
      continue;
    }
    if (key === "format" || (key === "f" && arg.startsWith("-"))) {
      const v = value ?? argv[++i];
      if (v === "bsd" || v === "posix" || v === "darwin" || v === "just-symbols") opts.format = v;
      else throw new UsageError("--format value should be one of: bsd, posix, darwin, just-symbols");
      continue;
    }
    if (key === "no-demangle" && arg.startsWith("--")) {
      p.demangleRequested = false;
      continue;
    }
    if (key === "demangle" || (arg === "-C")) {
      p.demangleRequested = true;
      continue;
    }
    if (key === "quiet") p.quiet = true;
    const long = arg.startsWith("--") ? LONG_FLAGS[key] : undefined;
    if (long !== undefined && value === undefined) {
      long(opts);
      continue;
    }
    if (!arg.startsWith("--") && [...body].every((c) => SHORT_FLAGS[c] !== undefined || c === "C")) {
      for (const c of body) {
        if (c === "C") p.demangleRequested = true;
        else SHORT_FLAGS[c]!(opts);
      }
      continue;
    }
    throw new UsageError(`unknown argument '${arg}'`);
  }
  if (p.files.length === 0) p.files.push("a.out");
  return p;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.stdout(HELP);
      return 0;
    }
    if (e instanceof UsageError) {
      io.stderr(`nm: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // Mach-O names carry one extra leading underscore, which -C strips before demangling.
  if (p.demangleRequested) {
    const { demangle } = await import("../../formats/demangle/index.ts");
    p.opts.demangle = (name) => demangle(name, { stripUnderscore: true });
  }
  const multiple = p.files.length > 1;
  let status = 0;
  const out = new ByteSink();
  const flush = (): void => out.flushTo(io);
  const err = (msg: string): void => {
    flush();
    io.stderr(`nm: error: ${msg}\n`);
    status = 1;
  };
  for (const file of p.files) {
    let mf: MachOFile;
    try {
      mf = openMachO(readInputForSymbols(file, io));
    } catch (e) {
      err(`${file}: ${e instanceof MachOFormatError ? stripOffset(e) : (e as Error).message}`);
      continue;
    }
    const dump = (index: number, archName: string, label: boolean, thin = false): void => {
      try {
        const image = parseSlice(mf, index);
        const fileLabel = archName !== "" ? `(for architecture ${archName}):${file}: ` : `${file}: `;
        if (label && !p.opts.printFileName) out.write(`\n${file}${archName !== "" ? ` (for architecture ${archName})` : ""}:\n`);
        if (thin && multiple && !p.opts.printFileName && p.opts.format !== "darwin") out.write(`\n${file}:\n`);
        const r = nmImage(image, p.opts, fileLabel, out, latin1);
        if (!r.hasSymbols && r.count === 0 && !p.quiet) {
          flush();
          io.stderr(`${fileLabel}no symbols\n`);
        }
      } catch (e) {
        if (!(e instanceof MachOFormatError)) throw e;
        err(`${file}${archName !== "" && label ? ` (for architecture ${archName})` : ""}: ${stripOffset(e)}`);
      }
    };
    if (mf.fat === undefined) {
      const slice = mf.slices[0]!;
      if (!p.archAll && p.arches.length > 0 && !p.arches.includes(slice.archName ?? "")) {
        err(`${file}: No architecture specified`);
        continue;
      }
      dump(0, "", false, true);
      continue;
    }
    if (!p.archAll && p.arches.length > 0) {
      for (const want of p.arches) {
        const idx = mf.slices.findIndex((s) => s.archName === want);
        if (idx < 0) {
          err(`file: ${file} does not contain architecture: ${want}`);
          break;
        }
        dump(idx, p.arches.length > 1 ? want : "", p.arches.length > 1);
      }
      continue;
    }
    const host = hostArchName();
    const hostIdx = p.archAll || host === undefined ? -1 : mf.slices.findIndex((s) => s.archName === host);
    if (hostIdx >= 0) {
      dump(hostIdx, "", false);
      continue;
    }
    const many = mf.slices.length > 1;
    for (let i = 0; i < mf.slices.length; i++) dump(i, many ? (mf.slices[i]!.archName ?? "") : "", true);
  }
  flush();
  return status;
}

/** LLVM prints parse errors without our offset suffix; keep the offset out of nm's one line. */
function stripOffset(e: MachOFormatError): string {
  return e.message.replace(/ \(at offset \d+\)$/, "");
}
