/**
 * The argument handling Apple's kext tools share (getopt_long_only with a help option): a usage
 * mistake prints the message and the usage on stderr (exit 64); `-h`, `-help` or `--help` prints
 * the usage on stdout (exit 0). Anything else is the parsed arguments.
 */
import { GetoptError, getopt, type GetoptResult, type GetoptSpec } from "./getopt.ts";
import type { ToolIO } from "./ToolIO.ts";

/** Parses `argv` with `-h`/`--help` added to `spec`; a number is the exit status to return. */
export function parseToolArgs(argv: readonly string[], spec: GetoptSpec, prog: string, usage: string, io: ToolIO): GetoptResult | number {
  let parsed: GetoptResult;
  try {
    parsed = getopt(argv, { ...spec, short: `${spec.short ?? ""}h`, long: [...(spec.long ?? []), { name: "help", hasArg: "none", id: "h" }] }, prog);
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    io.stderr(`${e.message}\n${usage}`);
    return 64;
  }
  if (parsed.options.some((o) => o.id === "h")) {
    io.stdout(usage);
    return 0;
  }
  return parsed;
}
