/**
 * `iokit kextunload [-b ID]… [-c CLASS]… [-p] [KEXT]…`: unloads kexts from the daemon at
 * `IOKIT_SOCKET` (through its privileged socket). `-b` unloads by identifier (terminating the
 * kext's services and removing its personalities first); `-c` terminates the instances of a class
 * and removes its personalities; `-p` terminates services and removes personalities but keeps the
 * kexts loaded.
 */
import { IOReturnError, kIOReturnSuccess, stringFromReturn } from "../../base/index.ts";
import { Routine, type WireValue } from "../../ipc/index.ts";
import { FsBundleSource, connectIOKit } from "../../host/index.ts";
import { readKext } from "../../kext/index.ts";
import { parseToolArgs } from "../parseToolArgs.ts";
import type { ToolIO } from "../ToolIO.ts";
import { resolve } from "node:path";

export const summary = "terminate driver instances and unload kernel extensions in the running daemon";

const USAGE = "usage: kextunload [-p] [-b bundle_id] ... [-c classname] ... [kext] ...\n";

export async function main(argv: string[], io: ToolIO): Promise<number> {
  // -h, -help, --help as in Apple's tool (getopt_long_only): the usage on stdout, exit 0.
  const parsed = parseToolArgs(argv, { short: "b:c:p", long: [] }, "kextunload", USAGE, io);
  if (typeof parsed === "number") return parsed;
  const ids = parsed.options.filter((o) => o.id === "b").map((o) => o.value as string);
  const classes = parsed.options.filter((o) => o.id === "c").map((o) => o.value as string);
  const personalitiesOnly = parsed.options.some((o) => o.id === "p");
  for (const p of parsed.operands) {
    const k = await readKext(new FsBundleSource(), resolve(io.cwd, p));
    if (k.bundleID === undefined) {
      io.stderr(`kextunload: ${p}: not a kext (no CFBundleIdentifier)\n`);
      return 1;
    }
    ids.push(k.bundleID);
  }
  if (ids.length === 0 && classes.length === 0) {
    io.stderr(USAGE);
    return 64;
  }
  if (!io.env.IOKIT_SOCKET) {
    io.stderr("kextunload: no running kernel: set IOKIT_SOCKET to the socket of an `iokit boot` daemon\n");
    return 1;
  }
  let conn;
  try {
    conn = await connectIOKit({ privileged: true, env: io.env });
  } catch (e) {
    io.stderr(`kextunload: ${e instanceof Error ? e.message : String(e)}\n`);
    return 77;
  }
  try {
    const results = await conn.lib.call(Routine.kextUnload, ids, classes, personalitiesOnly);
    let failed = false;
    for (const r of Array.isArray(results) ? (results as WireValue[]) : []) {
      if (!Array.isArray(r)) continue;
      const [id, ret, text] = r as [string, number, string];
      if (ret !== kIOReturnSuccess) {
        failed = true;
        io.stderr(`Failed to unload ${id} - ${text}.\n`);
      }
    }
    return failed ? 71 : 0;
  } catch (e) {
    if (!(e instanceof IOReturnError)) throw e;
    io.stderr(`kextunload: ${e.message} (${stringFromReturn(e.code)})\n`);
    return 77;
  } finally {
    conn.lib.close();
  }
}
