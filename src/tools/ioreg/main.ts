/**
 * `iokit ioreg [-abfilrtxy] [-c class] [-d depth] [-k key] [-n name] [-p plane] [-w width]
 * [--import FILE [--strict]]`: Apple's ioreg, on the embedded kernel's registry or on any registry
 * dump (ioreg text, `ioreg -a` archives, IORegistryExplorer saves).
 *
 * Output is byte for byte what ioreg prints; an imported text dump is printed in its own
 * generation's node-line style, so `--import DUMP -l` reproduces the dump. `-a` writes the XML
 * archive. Errors are `ioreg: error: <msg>.` and exit 1, as ioreg's own.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  buildIORegArchive, formatIORegText, writeXMLPlist, type IORegFormatOptions, type IORegistrySnapshot,
} from "../../formats/index.ts";
import { getopt, GetoptError } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";
import { importDump } from "./loadDump.ts";
import { kernelSnapshot } from "./kernelRegistry.ts";

export const summary = "show the I/O Registry, or a registry dump (--import FILE), as Apple's ioreg";

const USAGE = `usage: ioreg [-abfilrtxy] [-c class] [-d depth] [-k key] [-n name] [-p plane] [-w width]
where options are:
\t-a archive output
\t-b show object name in bold
\t-c list properties of objects with the given class
\t-d limit tree to the given depth
\t-f enable smart formatting
\t-i show object inheritance
\t-k list properties of objects with the given key
\t-l list properties of all objects
\t-n list properties of objects with the given name
\t-p traverse registry over the given plane (IOService is default)
\t-r show subtrees rooted by the given criteria
\t-t show location of each subtree
\t-w clip output to the given line width (0 is unlimited)
\t-x show data and numbers as hexadecimal
\t-y do not consult DriverKit classes (IOUserClasses) for -c
iokit-ts options:
\t--import FILE  show a registry dump (ioreg text, ioreg -a, IORegistryExplorer .ioreg)
\t--strict       fail on a damaged dump instead of showing what precedes the damage
`;

/** Parses C's atoi: leading digits, 0 when none. */
const atoi = (s: string): number => {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Math.max(0, Math.min(0x7fffffff, Number(m[1])));
};

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, {
      short: ":abc:d:fik:ln:p:rsStw:xy",
      long: [{ name: "import", hasArg: "required" }, { name: "strict", hasArg: "none" }],
      longOnly: false,
    }, "ioreg");
  } catch (e) {
    if (e instanceof GetoptError) {
      io.stderr(USAGE);
      return 1;
    }
    throw e;
  }
  const o: { -readonly [K in keyof IORegFormatOptions]: IORegFormatOptions[K] } = {};
  let archive = false;
  let importPath: string | undefined;
  let strict = false;
  let planeGiven = false;
  o.width = io.isTTY && io.columns !== undefined ? io.columns : 0;
  for (const { id, value } of parsed.options) {
    const v = value ?? "";
    switch (id) {
      case "a": archive = true; break;
      case "b": o.bold = io.env.TERM && io.env.TERM !== "dumb" ? { on: "\x1b[1m", off: "\x1b[0m" } : { on: "", off: "" }; break;
      case "c": o.className = v; break;
      case "d": o.depth = atoi(v); break;
      case "f": o.format = true; break;
      case "i": o.inheritance = true; break;
      case "k": o.key = v; break;
      case "l": o.list = true; break;
      case "n": o.name = v; break;
      case "p": o.plane = v; planeGiven = true; break;
      case "r": o.root = true; break;
      case "t": o.tree = true; break;
      case "w": o.width = atoi(v); break;
      case "x": o.hex = true; break;
      case "y": o.noUserClasses = true; break;
      case "import": importPath = v; break;
      case "strict": strict = true; break;
      default: break; // -s, -S: accepted and ignored, as ioreg does
    }
  }
  if (parsed.operands.length > 0) {
    io.stderr(USAGE);
    return 1;
  }

  let snapshot: IORegistrySnapshot;
  if (importPath !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(resolve(io.cwd, importPath));
    } catch (e) {
      io.stderr(`ioreg: error: can't open "${importPath}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.\n`);
      return 1;
    }
    let result;
    try {
      // -p names the plane of dumps that do not record it (ioreg -a archives, headerless text).
      result = importDump(bytes, { strict, ...(planeGiven && o.plane !== undefined ? { plane: o.plane } : {}) });
    } catch (e) {
      if (e instanceof Error && !(e instanceof RangeError)) {
        io.stderr(`ioreg: error: ${importPath}: ${e.message.replace(/\.$/, "")}.\n`);
        return 1;
      }
      throw e;
    }
    snapshot = result.snapshot;
    if (result.problem !== undefined) {
      const where = result.problem.line !== undefined ? `line ${result.problem.line}` : result.problem.offset !== undefined ? `offset ${result.problem.offset}` : "";
      const what = `${importPath}: ${where}${where ? ": " : ""}${result.problem.message.replace(/\.$/, "")}`;
      // Damage before anything but the root was read: not a dump at all, nothing to show.
      if (snapshot.entries.length <= 1) {
        io.stderr(`ioreg: error: ${what}.\n`);
        return 1;
      }
      io.stderr(`ioreg: warning: ${what}; showing what precedes it.\n`);
    }
    if (!planeGiven) o.plane = snapshot.planes[0] ?? "IOService";
    if (snapshot.textStyle !== undefined) o.style = snapshot.textStyle;
    // A dump made with `ioreg -x` prints back in hex.
    if (snapshot.textStyle?.hex) o.hex = true;
  } else {
    snapshot = await kernelSnapshot();
  }
  const plane = o.plane ?? "IOService";
  if (!snapshot.planes.includes(plane) && !snapshot.entries.some((e) => e.children[plane] !== undefined)) {
    io.stderr(`ioreg: error: plane "${plane}" not found.\n`);
    return 1;
  }

  if (archive) {
    // CFPropertyListWrite's XML: keys sorted, tabs, base64 data (writeXMLPlist does the same).
    io.stdout(writeXMLPlist(buildIORegArchive(snapshot, o)));
    return 0;
  }
  // A dump with `Plane:` headers prints back the same way: every section, unless -p picks one.
  const sections = planeGiven || o.root ? [] : (snapshot.textStyle?.sections ?? []);
  const errors = new Set<string>();
  o.onError = (m) => errors.add(m);
  let text: string;
  if (sections.length > 1) {
    text = sections.map((p) => `${p}:\n${formatIORegText(snapshot, { ...o, plane: p })}`).join("");
  } else {
    text = formatIORegText(snapshot, o);
    if (snapshot.textStyle?.planeHeader && !planeGiven && !o.root) text = `${plane}:\n${text}`;
  }
  io.stdout(Buffer.from(text, "latin1"));
  for (const m of errors) io.stderr(`ioreg: error: ${m}.\n`);
  return 0;
}
