/**
 * tools (L5): Apple's command-line tools under one CLI, `iokit <tool>`.
 */
export { runCli, runProcess } from "./cli.ts";
export { TOOLS, type ToolModule } from "./registry.ts";
export { captureIO, processIO, type ToolIO, type CapturedIO } from "./ToolIO.ts";
export { getopt, GetoptError, type GetoptSpec, type LongOption } from "./getopt.ts";
