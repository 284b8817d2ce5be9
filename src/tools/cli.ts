/**
 * `iokit <tool> [args…]`: the one entry point for every tool. Finds the tool and runs it through
 * runTool, which turns any error that escapes it into one line on standard error.
 */
import { TOOLS } from "./registry.ts";
import { runTool } from "./runTool.ts";
import { processIO, type ToolIO } from "./ToolIO.ts";

export async function runCli(argv: string[], io: ToolIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const lines = ["usage: iokit <tool> [arguments]", "", "tools:"];
    for (const [tool, load] of Object.entries(TOOLS)) {
      const mod = await load();
      lines.push(`  ${tool.padEnd(14)}${mod.summary}`);
    }
    io.stdout(`${lines.join("\n")}\n`);
    return name === undefined ? 64 : 0;
  }
  const load = TOOLS[name];
  if (load === undefined) {
    io.stderr(`iokit: unknown tool '${name}' (try 'iokit --help')\n`);
    return 64;
  }
  return runTool(name, await load(), rest, io);
}

/** Runs the CLI for the current process and exits with its status. */
export async function runProcess(): Promise<void> {
  const code = await runCli(process.argv.slice(2), processIO());
  process.exitCode = code;
}
