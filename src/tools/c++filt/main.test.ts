import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const haveOracle = spawnSync("llvm-cxxfilt-16", ["--version"], { stdio: "ignore" }).status === 0;

async function run(argv: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ stdin });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

function oracle(argv: string[], stdin?: string): { code: number; out: string } {
  const r = spawnSync("llvm-cxxfilt-16", argv, { input: stdin ?? "", encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout };
}

const LINES = [
  "0000000000001000 T __ZN9IOService5startEPS_",
  "call __ZNK9IOService12getMetaClassEv, __ZTV9IOService+16 (x=__Z3fooi.cold.1)",
  "  _main __Z3foo __Z1fv$x @@__ZN1A1BE  i Pc",
  "\t__ZN12_GLOBAL__N_13fooEv\r",
  "",
  "___Z1fv_block_invoke ____Z1fv_block_invoke_2 ___imp__Z3foov",
];

describe("iokit c++filt", () => {
  it.skipIf(!haveOracle)("filters stdin word by word exactly like llvm-cxxfilt-16 -_ (Darwin default)", async () => {
    const input = LINES.join("\n") + "\n";
    const ours = await run([], input);
    expect(ours.code).toBe(0);
    expect(ours.out).toBe(oracle(["-_"], input).out);
  });

  it.skipIf(!haveOracle)("matches the oracle's flags: -n, -t, grouping, last of -_/-n wins, --format", async () => {
    const input = LINES.join("\n");
    for (const flags of [["-n"], ["-t"], ["-_t"], ["-nt"], ["-n", "-_"], ["-_", "-n"], ["--types", "--no-strip-underscore"], ["--format=gnu", "-s"]]) {
      // llvm-cxxfilt on Linux defaults to -n; a leading -_ gives it the Darwin default (last flag wins).
      const o = oracle(["-_", ...flags], input);
      const ours = await run(flags, input);
      expect({ flags, out: ours.out }).toEqual({ flags, out: o.out });
    }
  });

  it.skipIf(!haveOracle)("demangles whole arguments without splitting them", async () => {
    const args = ["__ZN9IOService10gMetaClassE", "__Z1fv x", "i", "_main", "__Z1fIiEvT_"];
    expect((await run(args)).out).toBe(oracle(["-_", ...args]).out);
    expect((await run(["-n", "_Z1fv", "__Z1fv"])).out).toBe(oracle(["-n", "_Z1fv", "__Z1fv"]).out);
  });

  it.skipIf(!haveOracle)("reads arguments from @FILE response files, keeping unreadable ones literally", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cxxfilt-rsp-"));
    try {
      writeFileSync(join(dir, "args.rsp"), '-t __Z1fv\n"__Z1gv" \'i\' @nested.rsp');
      writeFileSync(join(dir, "nested.rsp"), "__Z1hi");
      const io = captureIO({ cwd: dir });
      expect(await main(["@args.rsp", "@missing.rsp"], io)).toBe(0);
      const r = spawnSync("llvm-cxxfilt-16", ["-_", "@args.rsp", "@missing.rsp"], { cwd: dir, encoding: "utf8" });
      expect(io.out()).toBe(r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects unknown options with one line and status 1", async () => {
    const r = await run(["-x", "__Z1fv"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("c++filt: error: unknown argument '-x'\n");
    expect(r.out).toBe("");
    expect((await run(["--bogus"])).err).toBe("c++filt: error: unknown argument '--bogus'\n");
  });

  it("prints names without parameters under -p (--no-params)", async () => {
    const r = await run(["-p", "__ZN9IOService5startEPS_", "__ZTV9IOService", "__Z1fIiEvT_", "main"]);
    expect(r.out).toBe("IOService::start\nvtable for IOService\nf<int>\nmain\n");
    expect((await run(["--no-params"], "x __ZNK1A1fEv y\n")).out).toBe("x A::f y\n");
  });

  it("prints nothing for empty input and keeps a final line without newline", async () => {
    expect((await run([], "")).out).toBe("");
    expect((await run([], "__Z1fv")).out).toBe("f()\n");
  });
});
