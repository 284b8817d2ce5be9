/**
 * The CLI's error handling (runTool) and the per-tool bundles bin/iokit.mjs starts directly.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BugError } from "../base/index.ts";
import { runCli } from "./cli.ts";
import { TOOLS } from "./registry.ts";
import { runTool } from "./runTool.ts";
import { captureIO } from "./ToolIO.ts";

describe("runTool", () => {
  it("turns a user error into one line and exit 1, a bug into a stack and exit 70", async () => {
    let io = captureIO();
    expect(await runTool("t", { summary: "", main: async () => { throw new Error("bad input"); } }, [], io)).toBe(1);
    expect(io.err()).toBe("t: bad input\n");
    io = captureIO();
    expect(await runTool("t", { summary: "", main: async () => { throw new BugError("broken invariant"); } }, [], io)).toBe(70);
    expect(io.err()).toMatch(/^t: internal error: .*broken invariant/);
    io = captureIO();
    expect(await runTool("t", { summary: "", main: async () => 3 }, [], io)).toBe(3);
  });

  it("runCli rejects an unknown tool with exit 64", async () => {
    const io = captureIO();
    expect(await runCli(["no-such-tool"], io)).toBe(64);
    expect(io.err()).toBe("iokit: unknown tool 'no-such-tool' (try 'iokit --help')\n");
  });
});

const built = existsSync("dist/tools");
describe.skipIf(!built)("per-tool bundles (dist/tools, by npm run build)", () => {
  it("exist for every tool of the registry", () => {
    for (const name of Object.keys(TOOLS)) expect(existsSync(`dist/tools/${name}.mjs`), name).toBe(true);
  });

  it("behave as the CLI does: output, errors and exit codes", async () => {
    const io = captureIO();
    const status = await runCli(["ioreturn", "0xe00002c2"], io);
    expect(execFileSync(process.execPath, ["bin/iokit.mjs", "ioreturn", "0xe00002c2"]).toString()).toBe(io.out());
    expect(status).toBe(0);
    const bad = spawnSync(process.execPath, ["bin/iokit.mjs", "nm", "-Z", "x"], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("nm: error: unknown argument '-Z'\n");
    const unknown = spawnSync(process.execPath, ["bin/iokit.mjs", "../tools/nm"], { encoding: "utf8" });
    expect(unknown.status).toBe(64);
  });
});
