/**
 * Running one tool module: its `main`, with any error that escapes it turned into one line on
 * standard error (user mistakes never print a stack trace; bugs — BugError, stack overflows — do,
 * with exit code 70, EX_SOFTWARE). Shared by the CLI (`iokit <tool>` through the registry) and the
 * per-tool bundles that bin/iokit.mjs starts directly (dist/tools/<tool>.mjs, one file each), so
 * this file must not import the registry.
 */
import { BugError } from "../base/index.ts";
import type { ToolModule } from "./registry.ts";
import { processIO, type ToolIO } from "./ToolIO.ts";

export async function runTool(name: string, tool: ToolModule, argv: string[], io: ToolIO): Promise<number> {
  try {
    return await tool.main(argv, io);
  } catch (e) {
    if (e instanceof BugError || (e instanceof RangeError && /call stack/i.test(e.message)) || !(e instanceof Error)) {
      io.stderr(`${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return 70;
    }
    io.stderr(`${name}: ${e.message}\n`);
    return 1;
  }
}

/** Runs `tool` for the current process (`iokit <name> args…`) and sets the exit status. */
export async function runToolProcess(name: string, tool: ToolModule): Promise<void> {
  process.exitCode = await runTool(name, tool, process.argv.slice(3), processIO());
}
