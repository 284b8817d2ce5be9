/**
 * `iokit kextload [-b ID]… [KEXT]…`: loads kexts into the running kernel and starts matching with
 * their personalities. With `IOKIT_SOCKET` set, the request goes to the daemon's privileged socket
 * (`$IOKIT_SOCKET.priv`); an unprivileged connection gets kIOReturnNotPrivileged. Without a daemon,
 * the kexts load into a kernel embedded in this process, matching runs to quiescence, and the
 * drivers that started are reported (that kernel ends with the command).
 */
import { IOReturnError, kIOReturnSuccess, stringFromReturn } from "../../base/index.ts";
import { Routine, type WireValue } from "../../ipc/index.ts";
import { connectIOKit } from "../../host/index.ts";
import { parseToolArgs } from "../parseToolArgs.ts";
import type { ToolIO } from "../ToolIO.ts";
import { resolve } from "node:path";

export const summary = "load kernel extensions into the running kernel (the daemon, or an embedded one)";

const USAGE = `usage: kextload [-b bundle_id] ... [kext] ...
  With IOKIT_SOCKET set, loads into that daemon (needs its privileged socket, IOKIT_SOCKET.priv).
  Without it, loads into a kernel embedded in this command, runs matching to quiescence and
  reports the drivers that started.
`;

export async function main(argv: string[], io: ToolIO): Promise<number> {
  // -h, -help, --help as in Apple's tool (getopt_long_only): the usage on stdout, exit 0.
  const parsed = parseToolArgs(argv, { short: "b:", long: [] }, "kextload", USAGE, io);
  if (typeof parsed === "number") return parsed;
  const ids = parsed.options.filter((o) => o.id === "b").map((o) => o.value as string);
  const paths = parsed.operands.map((p) => resolve(io.cwd, p));
  if (ids.length === 0 && paths.length === 0) {
    io.stderr(USAGE);
    return 64;
  }
  let conn;
  try {
    conn = await connectIOKit({ privileged: true, env: io.env });
  } catch (e) {
    io.stderr(`kextload: ${e instanceof Error ? e.message : String(e)}\n`);
    return 77;
  }
  try {
    const results = await conn.lib.call(Routine.kextLoad, paths, ids);
    let failed = false;
    for (const r of Array.isArray(results) ? (results as WireValue[]) : []) {
      if (!Array.isArray(r)) continue;
      const [id, ret, started] = r as [string, number, WireValue[]];
      if (ret !== kIOReturnSuccess) {
        failed = true;
        io.stderr(`Failed to load ${id} - ${stringFromReturn(ret)}.\n`);
      } else if (!conn.remote) {
        const names = (started ?? []).filter((s): s is string => typeof s === "string");
        io.stdout(`${id} loaded into an embedded kernel; ${names.length === 0 ? "no drivers started" : `started ${names.join(", ")}`}\n`);
      }
    }
    return failed ? 71 : 0;
  } catch (e) {
    if (!(e instanceof IOReturnError)) throw e;
    io.stderr(`kextload: ${e.message} (${stringFromReturn(e.code)})\n`);
    return 77;
  } finally {
    conn.lib.close();
  }
}
