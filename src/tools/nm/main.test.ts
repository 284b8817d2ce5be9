import { describe, expect, it } from "vitest";
import { machOInputs } from "../../../test/support/machoInputs.ts";
import { haveTool, machOFixtures, oracle, runTool } from "../../../test/support/machoFixtures.ts";
import { main } from "./main.ts";

const HAVE_NM = haveTool("llvm-nm-16");
if (!HAVE_NM) process.stderr.write("nm oracle tests skipped: llvm-nm-16 not found\n");

const ours = (args: string[], cwd: string): ReturnType<typeof runTool> => runTool(main, args, cwd);

/** The message after "<tool>: error: ", for comparing errors across tool names. */
const errorText = (s: string): string => s.split("\n").filter((l) => l !== "").map((l) => l.replace(/^[^:]*: error: /, "")).join("\n");

describe.skipIf(!HAVE_NM)("iokit nm agrees with llvm-nm-16", () => {
  const inputs = machOInputs();
  for (const flags of [["-P", "--arch=all"], [], ["-m"], ["-a"]]) {
    it.each(inputs.map((i) => [i.label, i] as const))(`${flags.join(" ") || "(default)"} %s`, async (_label, input) => {
      const got = await ours([...flags, input.name], input.dir);
      if (input.negative) {
        expect(got.status).toBe(1);
        expect(got.stderr).toMatch(/not recognized as a valid object file/);
        return;
      }
      const want = oracle("llvm-nm-16", [...flags, input.name], input.dir);
      expect(got.status).toBe(want.status);
      expect(got.stdout).toBe(want.stdout);
      if (want.status !== 0) expect(errorText(got.stderr)).toBe(errorText(want.stderr));
    });
  }

  const fx = machOFixtures();
  it.skipIf(fx === undefined).each([["-g"], ["-u"], ["-U"], ["-j"], ["-n"], ["-p"], ["-a"], ["-a", "-n"], ["-x"], ["-C"], ["-C", "-m"], ["-A"], ["-n", "-r"], ["-gU", "-m"], ["--arch=i386"], ["-arch", "arm64", "-arch", "x86_64"]])(
    "flags %s on the built fixtures, several files at once", async (...flags) => {
      const names = ["a_fat.o", "libdemo_fat.dylib", "demo_arm64.kext", "b_x86_64.o"];
      const got = await ours([...flags, ...names], fx!.dir);
      const want = oracle("llvm-nm-16", [...flags, ...names], fx!.dir);
      expect(got.stdout).toBe(want.stdout);
      expect(got.status).toBe(want.status);
    });

  it("reports a missing file and a missing architecture as llvm-nm does", async () => {
    const dir = fx?.dir ?? process.cwd();
    const got = await ours(["nonexistent.o"], dir);
    expect(got.status).toBe(1);
    expect(got.stderr).toBe("nm: error: nonexistent.o: No such file or directory\n");
    if (fx === undefined) return;
    const arch = await ours(["--arch=armv7", "libdemo_fat.dylib"], dir);
    expect(arch.status).toBe(1);
    expect(errorText(arch.stderr)).toBe(errorText(oracle("llvm-nm-16", ["--arch=armv7", "libdemo_fat.dylib"], dir).stderr));
  });

  it("rejects an unknown flag and an unknown -arch with one line", async () => {
    const bad = await ours(["-Z", "x"], process.cwd());
    expect(bad.status).toBe(1);
    expect(bad.stderr.split("\n").length).toBe(2);
    const arch = await ours(["-arch", "sparc64", "x"], process.cwd());
    expect(arch.stderr).toMatch(/Unknown architecture named 'sparc64'/);
  });
});

describe("iokit nm --help", () => {
  it("prints the options on stdout, exit 0, for --help and -h; every option it lists is accepted", async () => {
    for (const flag of ["--help", "-h", "-help"]) {
      const got = await ours([flag], process.cwd());
      expect(got).toMatchObject({ status: 0, stderr: "" });
      expect(got.stdout).toMatch(/^OVERVIEW: .*\n\nUSAGE: iokit nm /);
    }
    const help = (await ours(["--help"], process.cwd())).stdout;
    const listed = [...help.matchAll(/^ {2}(-[^ ,=<]+)(?:, (-\w))?/gm)].flatMap((m) => [m[1], m[2]]).filter((f): f is string => f !== undefined && f !== "-h" && f !== "--help" && f !== "-f");
    expect(listed.length).toBeGreaterThan(20);
    for (const flag of listed) {
      const got = await ours(flag === "--arch" || flag === "--format" ? [`${flag}=${flag === "--arch" ? "all" : "bsd"}`, "/nonexistent/x"] : [flag, "/nonexistent/x"], process.cwd());
      expect(got.stderr, flag).not.toMatch(/unknown argument/);
    }
  });
});
