/**
 * `iokit plutil`: Apple's property-list utility. Checks syntax (`-lint`, the default), prints
 * (`-p`), converts (`-convert xml1|binary1|json`), extracts, inserts, replaces and removes values by
 * key path, on real files, stdin (`-`) and stdout (`-o -`).
 *
 * Behaviour follows macOS plutil: one line per file (`FILE: OK`, `FILE: <what is wrong>`), exit
 * status 0 when every file succeeded and 1 otherwise, edits written back in the file's own format,
 * `-extract … xml1|binary1|json` written to `-o` or over the input file (as Apple does), `raw`
 * to stdout. Every file write is atomic.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  PlistSyntaxError, PlistTypeError, readPlist, writeBinaryPlist, writeJSONPlist, writeXMLPlist,
  encodeBase64, formatCFDate, formatG, type PlistFormat,
} from "../../formats/index.ts";
import { kindOf, OSDate, OSNumber, OSReal, type OSValue } from "../../libkern/index.ts";
import type { ToolIO } from "../ToolIO.ts";
import { writeFileAtomic } from "../writeFileAtomic.ts";
import { getAtKeyPath, KeyPathError, removeAtKeyPath, setAtKeyPath } from "./keyPath.ts";
import { parseValueArg, takesNoValue, ValueArgError, VALUE_TYPES, type ValueType } from "./parseValueArg.ts";
import { printPlist } from "./printPlist.ts";

export const summary = "check, print, convert and edit property lists (xml1, binary1, json)";

const USAGE = `usage: iokit plutil <command> <options> <file>...
commands (the first argument):
  -lint                      check the files for syntax errors (the default)
  -p                         print the files in a human-readable form
  -convert fmt               convert the files to fmt: xml1, binary1 or json
  -insert keypath -type val  insert a value (-append: append to the array at keypath)
  -replace keypath -type val set a value, replacing any existing one
  -remove keypath            remove the value at keypath
  -extract keypath fmt       write the value at keypath as a new plist of fmt (xml1, binary1, json, raw)
  -type keypath              print the type of the value at keypath
  -help                      show this message
types: -bool -integer -float -string -date -data -xml -json -array -dictionary
options:
  -s         print nothing on success          -r       human-readable JSON
  -o path    write the result to path (- for stdout; one file only)
  -e ext     write converted files with extension ext
  -n         no newline after -extract … raw   -expect type   fail unless the value has that type
  --         everything after is a file name
`;

type Command = "lint" | "p" | "convert" | "insert" | "replace" | "remove" | "extract" | "type" | "help";
type OutFormat = "xml1" | "binary1" | "json" | "raw";

interface Options {
  command: Command;
  format?: OutFormat;
  keyPath?: string;
  valueType?: ValueType;
  value?: string;
  append: boolean;
  silent: boolean;
  pretty: boolean;
  noNewline: boolean;
  output?: string;
  extension?: string;
  expect?: string;
  files: string[];
}

const FORMATS = new Set<string>(["xml1", "binary1", "json"]);

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const o: Options = { command: "lint", append: false, silent: false, pretty: false, noNewline: false, files: [] };
  let commandSeen = false;
  const take = (i: number, what: string): string => {
    const v = argv[i];
    if (v === undefined) throw new UsageError(`Missing argument for ${what}.`);
    return v;
  };
  const setCommand = (c: Command): void => {
    if (commandSeen) throw new UsageError("Only one command option may be given.");
    commandSeen = true;
    o.command = c;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      o.files.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-" || !a.startsWith("-")) {
      o.files.push(a);
      continue;
    }
    switch (a) {
      case "-help": case "-h": case "--help": setCommand("help"); break;
      case "-lint": setCommand("lint"); break;
      case "-p": setCommand("p"); break;
      case "-convert": {
        setCommand("convert");
        const f = take(++i, "-convert");
        if (!FORMATS.has(f)) throw new UsageError(`Unknown format specifier: ${f}`);
        o.format = f as OutFormat;
        break;
      }
      case "-insert": case "-replace": {
        setCommand(a.slice(1) as Command);
        o.keyPath = take(++i, a);
        const t = take(++i, a).replace(/^-/, "");
        if (!(VALUE_TYPES as readonly string[]).includes(t)) throw new UsageError(`Unknown type ${t} for ${a}`);
        o.valueType = t as ValueType;
        if (!takesNoValue(o.valueType)) o.value = take(++i, `${a} -${t}`);
        break;
      }
      case "-remove": setCommand("remove"); o.keyPath = take(++i, a); break;
      case "-type": setCommand("type"); o.keyPath = take(++i, a); break;
      case "-extract": {
        setCommand("extract");
        o.keyPath = take(++i, a);
        const f = take(++i, a);
        if (!FORMATS.has(f) && f !== "raw") throw new UsageError(`Unknown format specifier: ${f}`);
        o.format = f as OutFormat;
        break;
      }
      case "-append": o.append = true; break;
      case "-s": o.silent = true; break;
      case "-r": o.pretty = true; break;
      case "-n": o.noNewline = true; break;
      case "-o": o.output = take(++i, a); break;
      case "-e": o.extension = take(++i, a); break;
      case "-expect": o.expect = take(++i, a); break;
      default: throw new UsageError(`unrecognized option: ${a}`);
    }
  }
  return o;
}

/** The type names of `-type` and `-expect`. */
function typeName(v: OSValue): string {
  const k = kindOf(v);
  return k === "dict" ? "dictionary" : k === "boolean" ? "bool" : k === "real" ? "float" : k;
}

function encode(value: OSValue, format: PlistFormat | OutFormat, pretty: boolean): string | Uint8Array {
  if (format === "binary1") return writeBinaryPlist(value);
  if (format === "json") return writeJSONPlist(value, { pretty });
  return writeXMLPlist(value);
}

function raw(value: OSValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof OSNumber) return value.value.toString();
  if (value instanceof OSReal) return formatG(value.value, 17);
  if (value instanceof OSDate) return formatCFDate(value);
  if (value instanceof Uint8Array) return encodeBase64(value);
  if (Array.isArray(value)) return String(value.length);
  if (value instanceof Map) return [...value.keys()].join("\n");
  throw new PlistTypeError(`Cannot print a ${typeName(value)} as raw`, "");
}

/** Why a file failed, in one line. */
function describeError(e: unknown): string {
  if (e instanceof PlistTypeError) return e.message.startsWith("Invalid object") || e.message.startsWith("Invalid number") ? "invalid object in plist for destination format" : e.message;
  // Every format's parser (XML, binary, JSON, OpenStep text and its encoding guess) throws a SyntaxError subclass.
  if (e instanceof SyntaxError || e instanceof KeyPathError) return e.message;
  // V8's limit on one string (2^29 characters): -p and xml1 of a plist nested tens of thousands
  // deep indent every line by its depth, so the text grows with the square of the depth.
  if (e instanceof RangeError && e.message === "Invalid string length") return "output is too large to produce (longer than the longest string JavaScript can hold)";
  if (e instanceof Error && "code" in e && typeof (e as NodeJS.ErrnoException).code === "string") {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") return "file does not exist or is not readable or is not a regular file";
    return e.message;
  }
  throw e;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`${e.message}\n${USAGE}`);
    return 1;
  }
  if (o.command === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (o.files.length === 0) {
    io.stderr(`No files specified.\n${USAGE}`);
    return 1;
  }
  if (o.output !== undefined && o.files.length > 1) {
    io.stderr("-o is only allowed with a single file.\n");
    return 1;
  }
  let status = 0;
  for (const file of o.files) {
    try {
      if (!(await runOne(file, o, io))) status = 1;
    } catch (e) {
      const line = `${file}: ${describeError(e)}\n`;
      if (o.command === "lint") io.stdout(line);
      else io.stderr(line);
      status = 1;
    }
  }
  return status;
}

/** Runs the command on one file; false when it failed after reporting why. */
async function runOne(file: string, o: Options, io: ToolIO): Promise<boolean> {
  const bytes = file === "-" ? await io.readStdin() : new Uint8Array(readFileSync(resolve(io.cwd, file)));
  const { value, format } = readPlist(bytes);
  const destination = (): string => {
    if (o.output !== undefined) return o.output;
    if (file === "-") return "-";
    if (o.extension !== undefined) return file.replace(/(\.[^./]*)?$/, `.${o.extension}`);
    return file;
  };
  const emit = (data: string | Uint8Array): void => {
    const to = destination();
    if (to === "-") io.stdout(data);
    else writeFileAtomic(resolve(io.cwd, to), data);
  };
  switch (o.command) {
    case "lint":
      if (!o.silent) io.stdout(`${file}: OK\n`);
      return true;
    case "p":
      io.stdout(printPlist(value));
      return true;
    case "convert":
      emit(encode(value, o.format as OutFormat, o.pretty));
      return true;
    case "type":
    case "extract": {
      const v = getAtKeyPath(value, o.keyPath as string);
      if (v === undefined) {
        io.stderr(`${file}: Could not extract value, error: No value at that key path or invalid key path: ${o.keyPath}\n`);
        return false;
      }
      if (o.expect !== undefined && typeName(v) !== o.expect) {
        io.stderr(`${file}: Could not extract value, error: Value at [${o.keyPath}] expected to be ${o.expect} but is ${typeName(v)}\n`);
        return false;
      }
      if (o.command === "type") io.stdout(`${typeName(v)}\n`);
      else if (o.format === "raw") {
        const text = raw(v);
        if (o.output !== undefined && o.output !== "-") writeFileAtomic(resolve(io.cwd, o.output), text);
        else io.stdout(o.noNewline ? text : `${text}\n`);
      } else emit(encode(v, o.format as OutFormat, o.pretty));
      return true;
    }
    default: {
      try {
        if (o.command === "remove") removeAtKeyPath(value, o.keyPath as string);
        else setAtKeyPath(value, o.keyPath as string, parseValueArg(o.valueType as ValueType, o.value), o.append ? "append" : o.command === "insert" ? "insert" : "replace");
      } catch (e) {
        if (!(e instanceof KeyPathError || e instanceof PlistSyntaxError || e instanceof ValueArgError)) throw e;
        io.stderr(`${file}: Could not modify plist, error: ${e.message}\n`);
        return false;
      }
      emit(encode(value, format, o.pretty));
      return true;
    }
  }
}
