/**
 * `iokit ioclasscount [class …]`: live instance counts per kernel class, read from the registry
 * root's `IOKitDiagnostics` → `Classes` dictionary, as IOKitTools' ioclasscount prints them.
 *
 * With no arguments every class is printed, sorted case-insensitively, one `Name = N` per line. With
 * arguments the named classes are printed on one line, `A = 1, B = 2`, an unknown class as
 * `Name = <no such class>`. The counts follow OSMetaClass rules: only the most-derived class counts
 * an object, and a superclass counts +1 per subclass with live instances (spec §3.2).
 *
 * The kernel is read through IOKitLib: the daemon at `IOKIT_SOCKET`, else an IOKernel embedded once
 * in this process. `--import FILE`
 * (our extension, as for `iokit ioreg`) reads the root of a registry dump instead — `ioreg -l`
 * text, `ioreg -a`, or an IORegistryExplorer save — so another machine's counts can be read.
 */
import { connectIOKit } from "../../host/index.ts";
import { isOSDictionary, isOSNumber, type OSValue } from "../../libkern/index.ts";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { importDump } from "../ioreg/loadDump.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "show the live instance count of kernel classes";

/** Reads the root properties of a kernel (separated out so tests can hand in any registry root). */
export type RootReader = () => ReadonlyMap<string, OSValue> | undefined | Promise<ReadonlyMap<string, OSValue> | undefined>;

/** The live kernel through IOKitLib: the daemon at IOKIT_SOCKET, else this process's embedded one. */
const live: RootReader = async () => {
  const { lib } = await connectIOKit();
  try {
    return await (await lib.rootEntry()).properties();
  } finally {
    lib.close();
  }
};

const count = (v: OSValue): number => (isOSNumber(v) ? v.int32() : 0);

/** CFStringCompare with kCFCompareCaseInsensitive: fold case, then compare code units. */
const caseInsensitive = (a: string, b: string): number => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Runs ioclasscount against the root properties `readRoot` returns. */
export async function runIOClassCount(argv: string[], io: ToolIO, readRoot: RootReader): Promise<number> {
  const props = await readRoot();
  if (props === undefined) {
    io.stderr("Error: Can't read registry root properties.\n");
    return 1;
  }
  const diag = props.get("IOKitDiagnostics");
  if (!isOSDictionary(diag)) {
    io.stderr("Error: Allocation information missing.\n");
    return 1;
  }
  const classes = diag.get("Classes");
  if (!isOSDictionary(classes)) {
    io.stderr("Error: Class information missing.\n");
    return 1;
  }
  if (argv.length === 0) {
    const names = [...classes.keys()].sort(caseInsensitive);
    io.stdout(names.map((n) => `${n} = ${count(classes.get(n) as OSValue)}\n`).join(""));
    return 0;
  }
  const parts = argv.map((n) => {
    const v = classes.get(n);
    return v === undefined ? `${n} = <no such class>` : `${n} = ${count(v)}`;
  });
  io.stdout(`${parts.join(", ")}\n`);
  return 0;
}

/** The root properties of a dump file; throws a one-line Error for unreadable input. */
function dumpRoot(path: string, io: ToolIO): RootReader {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(resolve(io.cwd, path));
  } catch (e) {
    throw new Error(`can't open "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { snapshot } = importDump(bytes);
  return () => snapshot.entries[0]?.properties;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const args = [...argv];
  let reader = live;
  const at = args.findIndex((a) => a === "--import" || a.startsWith("--import="));
  if (at >= 0) {
    const arg = args[at] as string;
    const path = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[at + 1];
    args.splice(at, arg.includes("=") ? 1 : 2);
    if (path === undefined || path === "") {
      io.stderr("usage: ioclasscount [--import FILE] [classname ...]\n");
      return 64;
    }
    try {
      reader = dumpRoot(path, io);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof RangeError) throw e;
      io.stderr(`ioclasscount: error: ${path}: ${e.message.replace(/^can't open "[^"]*": /, "can't open: ").replace(/\.$/, "")}.\n`);
      return 1;
    }
  }
  return runIOClassCount(args, io, reader);
}
