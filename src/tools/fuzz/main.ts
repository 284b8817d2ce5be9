/**
 * `iokit fuzz userclient [--calls N] [--seed S]`: random user-client calls from an unprivileged task
 * against the daemon at `IOKIT_SOCKET` (or this process's embedded kernel), reporting every answer
 * that is not a proper IOReturn. `iokit fuzz routines [--privileged]` does the same for every kernel
 * routine with random argument lists (on the privileged socket it also unplugs devices, changes
 * power settings and sleeps the system: use a throwaway daemon). Exit status 1 on anomalies.
 */
import { connectIOKit, fuzzRoutines, fuzzUserClients } from "../../host/index.ts";
import { parseToolArgs } from "../parseToolArgs.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "fuzz the running kernel's user clients with random calls";

const USAGE = "usage: iokit fuzz userclient [--calls N] [--seed S]\n       iokit fuzz routines [--calls N] [--seed S] [--privileged]\n";

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const parsed = parseToolArgs(argv, { long: [{ name: "calls", hasArg: "required" }, { name: "seed", hasArg: "required" }, { name: "privileged", hasArg: "none" }], permute: true }, "iokit fuzz", USAGE, io);
  if (typeof parsed === "number") return parsed;
  const target = parsed.operands[0];
  if (parsed.operands.length !== 1 || (target !== "userclient" && target !== "routines")) {
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
  const privileged = opt.has("privileged");
  if (privileged && target !== "routines") {
    io.stderr(`iokit fuzz: --privileged goes with routines\n${USAGE}`);
    return 64;
  }
  const { lib, remote } = await connectIOKit({ env: io.env, privileged });
  try {
    const where = remote ? `daemon${privileged ? ", privileged" : ""}` : "embedded kernel";
    const r = target === "userclient" ? await fuzzUserClients(lib, { calls, seed }) : await fuzzRoutines(lib, { calls, seed });
    const noun = target === "userclient" ? "service" : "routine";
    io.stdout(`fuzz ${target}: ${r.calls} calls against ${r.services.length} ${noun}${r.services.length === 1 ? "" : "s"} (${where}), seed ${seed}\n`);
    for (const s of r.services) io.stdout(`  ${noun} ${s}\n`);
    io.stdout(`  success: ${r.successes}\n`);
    for (const [name, n] of [...r.returns].sort((a, b) => b[1] - a[1])) io.stdout(`  ${name}: ${n}\n`);
    io.stdout(`  anomalies: ${r.anomalies.length}\n`);
    for (const a of r.anomalies.slice(0, 50)) io.stdout(`    ${a}\n`);
    return r.anomalies.length === 0 ? 0 : 1;
  } finally {
    lib.close();
  }
}
