/**
 * `iokit c++filt [-_|-n] [-t] [-p] [name…]`: demangles Itanium C++ names as `llvm-cxxfilt` does.
 *
 * With names on the command line each argument is demangled whole; with none, standard input is
 * read line by line and every word (a run of letters, digits, `_`, `.` and `$`) is demangled in
 * place, so `nm` or linker output can be piped through. As on macOS, the leading underscore
 * Mach-O adds to every symbol is stripped by default (`-_`); `-n` keeps it (ELF-style names).
 * A word that is not a valid mangled name is printed unchanged.
 *
 * Options follow llvm-cxxfilt 16 (short flags may be grouped, the last of `-_`/`-n` wins,
 * `--format`/`-s` are accepted and ignored, `@FILE` reads more arguments from FILE). `-p`/`--no-params` comes from later LLVM releases:
 * it prints function names without their parameter lists.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { demangle, type DemangleOptions } from "../../formats/index.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "demangle C++ symbol names (llvm-cxxfilt compatible; strips Mach-O's leading _)";

const USAGE = `OVERVIEW: iokit symbol undecoration tool

USAGE: iokit c++filt [options] <mangled>

OPTIONS:
  -_                    Alias for --strip-underscore
  --format=<value>      Specify mangling format. Currently ignored because only 'gnu' is supported
  --help                Display this help
  -h                    Alias for --help
  --no-params           Do not demangle function parameters or return types
  --no-strip-underscore Don't strip the leading underscore
  -n                    Alias for --no-strip-underscore
  -p                    Alias for --no-params
  @FILE                 Read more arguments from FILE
  --strip-underscore    Strip the leading underscore (the default, as on macOS)
  -s                    Alias for --format
  --types               Attempt to demangle types as well as function names
  -t                    Alias for --types
  --version             Display the version
`;

const LONG: Record<string, string> = {
  "--strip-underscore": "_", "--no-strip-underscore": "n", "--types": "t", "--no-params": "p",
  "--help": "h", "--version": "V",
};

/** One word as llvm-cxxfilt's `demangle` treats it, including the `__imp_` import-thunk prefix. */
function filterWord(word: string, o: DemangleOptions): string {
  const r = demangle(word, o);
  if (r !== undefined) return r;
  const from = (o.stripUnderscore ?? true) && word.charCodeAt(0) === 0x5f ? 1 : 0;
  if (word.startsWith("__imp_", from)) {
    const inner = demangle(word.slice(from + 6), { ...o, stripUnderscore: false, types: true });
    if (inner !== undefined) return `import thunk for ${inner}`;
  }
  return word;
}

/**
 * Expands `@FILE` arguments as LLVM's response files: FILE's contents split GNU-style on
 * whitespace, with quotes and backslash escapes, expanded recursively (bounded). An unreadable
 * FILE leaves the argument as it is.
 */
export function expandResponseFiles(argv: readonly string[], cwd: string, depth = 0): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (!arg.startsWith("@") || depth > 20) {
      out.push(arg);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(resolve(cwd, arg.slice(1)), "utf8");
    } catch {
      out.push(arg);
      continue;
    }
    out.push(...expandResponseFiles(tokenizeGnu(text), cwd, depth + 1));
  }
  return out;
}

function tokenizeGnu(text: string): string[] {
  const tokens: string[] = [];
  let cur = "";
  let inToken = false;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      inToken = true;
    } else if (quote !== "") {
      if (c === quote) quote = "";
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inToken = true;
    } else if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inToken) tokens.push(cur);
      cur = "";
      inToken = false;
    } else {
      cur += c;
      inToken = true;
    }
  }
  if (inToken) tokens.push(cur);
  return tokens;
}

function isSymbolChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x24;
}

/** Demangles every word of a line, keeping the characters between words. */
export function filterLine(line: string, o: DemangleOptions): string {
  let out = "";
  let i = 0;
  const n = line.length;
  while (i < n) {
    let j = i;
    while (j < n && !isSymbolChar(line.charCodeAt(j))) j++;
    out += line.slice(i, j);
    if (j >= n) break;
    let k = j;
    while (k < n && isSymbolChar(line.charCodeAt(k))) k++;
    out += filterWord(line.slice(j, k), o);
    i = k;
  }
  return out;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const o: { stripUnderscore: boolean; types: boolean; params: boolean } = { stripUnderscore: true, types: false, params: true };
  const names: string[] = [];
  for (const arg of expandResponseFiles(argv, io.cwd)) {
    if (!arg.startsWith("-") || arg === "-") {
      names.push(arg);
      continue;
    }
    let flags: string;
    if (arg.startsWith("--")) {
      if (arg.startsWith("--format=")) continue;
      const f = LONG[arg];
      if (f === undefined) {
        io.stderr(`c++filt: error: unknown argument '${arg}'\n`);
        return 1;
      }
      flags = f;
    } else {
      flags = arg.slice(1);
    }
    for (const f of flags) {
      switch (f) {
        case "_": o.stripUnderscore = true; break;
        case "n": o.stripUnderscore = false; break;
        case "t": o.types = true; break;
        // Divergence from XNU: -p comes from LLVM 17+; llvm-cxxfilt 16 rejects it.
        case "p": o.params = false; break;
        case "s": break;
        case "h":
          io.stdout(USAGE);
          return 0;
        case "V":
          io.stdout("iokit c++filt (Itanium C++ ABI demangler, llvm-cxxfilt 16 compatible)\n");
          return 0;
        default:
          io.stderr(`c++filt: error: unknown argument '-${f}'\n`);
          return 1;
      }
    }
  }
  if (names.length > 0) {
    io.stdout(names.map((n) => filterWord(n, o) + "\n").join(""));
    return 0;
  }
  const input = new TextDecoder().decode(await io.readStdin());
  if (input.length === 0) return 0;
  const lines = input.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out: string[] = [];
  for (const line of lines) out.push(filterLine(line, o), "\n");
  io.stdout(out.join(""));
  return 0;
}

