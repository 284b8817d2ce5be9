/**
 * `iokit fuzz userclient [--calls N] [--seed S]`: random user-client calls from an unprivileged task
 * against the daemon at `IOKIT_SOCKET` (or this process's embedded kernel), reporting every answer
 * that is not a proper IOReturn. Exit status 1 when there were anomalies.
 */
import { connectIOKit, fuzzUserClients } from "../../host/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "fuzz the running kernel's user clients with random calls";

const USAGE = "usage: iokit fuzz userclient [--calls N] [--seed S]\n";

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, { short: "h", long: [{ name: "calls", hasArg: "required" }, { name: "seed", hasArg: "required" }, { name: "help", hasArg: "none", id: "h" }], permute: true }, "iokit fuzz");
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    io.stderr(`${e.message}\n${USAGE}`);
    return 64;
  }
  if (parsed.options.some((o) => o.id === "h")) {
    io.stdout(USAGE);
    return 0;
  }
  if (parsed.operands.length !== 1 || parsed.operands[0] !== "userclient") {
    io.stderr(USAGE);
    return 64;
  }
  const opt = new Map(parsed.options.map((o) => [o.id, o.value ?? ""]));
  const calls = Number(opt.get("calls") ?? "1000");
  const seed = Number(opt.get("seed") ?? "1");
  if (!Number.isSafeInteger(calls) || calls < 0 || !Number.isSafeInteger(seed)) {
    io.stderr(`iokit fuzz: --calls and --seed take integers\n${USAGE}`);
    return 64;
  }
  const { lib, remote } = await connectIOKit({ env: io.env });
  try {
    const r = await fuzzUserClients(lib, { calls, seed });
    io.stdout(`fuzz userclient: ${r.calls} calls against ${r.services.length} service${r.services.length === 1 ? "" : "s"} (${remote ? "daemon" : "embedded kernel"}), seed ${seed}\n`);
    for (const s of r.services) io.stdout(`  service ${s}\n`);
    io.stdout(`  success: ${r.successes}\n`);
    for (const [name, n] of [...r.returns].sort((a, b) => b[1] - a[1])) io.stdout(`  ${name}: ${n}\n`);
    io.stdout(`  anomalies: ${r.anomalies.length}\n`);
    for (const a of r.anomalies.slice(0, 50)) io.stdout(`    ${a}\n`);
    return r.anomalies.length === 0 ? 0 : 1;
  } finally {
    lib.close();
  }
}
