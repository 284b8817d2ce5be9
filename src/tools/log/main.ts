/**
 * `iokit log`: the kernel log ring (IOLog lines) of the daemon at `IOKIT_SOCKET`, or of this
 * process's embedded kernel. Each line is `[seconds.micro] text`; when the ring overflowed, a last
 * line says how many lines were dropped.
 */
import { connectIOKit } from "../../host/index.ts";
import type { ToolIO } from "../ToolIO.ts";

const USAGE = "usage: iokit log\n";

export const summary = "print the kernel log (IOLog ring buffer) of the running kernel";

export async function main(argv: string[], io: ToolIO): Promise<number> {
  if (argv.length === 1 && (argv[0] === "-h" || argv[0] === "--help")) {
    io.stdout(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    io.stderr(USAGE);
    return 64;
  }
  const { lib } = await connectIOKit({ env: io.env });
  try {
    const { lines, dropped } = await lib.kernelLog();
    for (const l of lines) io.stdout(`[${(l.timeNs / 1e9).toFixed(6).padStart(13)}] ${l.text}\n`);
    if (dropped > 0) io.stdout(`(${dropped} earlier line${dropped === 1 ? "" : "s"} dropped: the log ring is full)\n`);
    return 0;
  } finally {
    lib.close();
  }
}
