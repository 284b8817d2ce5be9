import { describe, expect, it } from "vitest";
import { machOInputs } from "../../../test/support/machoInputs.ts";
import { haveTool, machOFixtures, oracle, runTool } from "../../../test/support/machoFixtures.ts";
import { main } from "./main.ts";

const HAVE = haveTool("llvm-otool-16");
if (!HAVE) process.stderr.write("otool oracle tests skipped: llvm-otool-16 not found\n");

const ours = (args: string[], cwd: string): ReturnType<typeof runTool> => runTool(main, args, cwd);

describe.skipIf(!HAVE)("iokit otool agrees with llvm-otool-16", () => {
  const inputs = machOInputs();
  // TZ=UTC for the oracle; our ctime uses the process's zone, so pin it too.
  process.env.TZ = "UTC";
  for (const flag of ["-hLf", "-l", "-lv", "-rD"]) {
    it.each(inputs.map((i) => [i.label, i] as const))(`${flag} %s`, async (_label, input) => {
      const got = await ours([flag, input.name], input.dir);
      const want = oracle("llvm-otool-16", [flag, input.name], input.dir);
      expect(got.stdout).toBe(want.stdout);
      expect(got.status === 0).toBe(want.status === 0 && want.stderr === "");
      if (want.stderr !== "" && !input.negative) {
        expect(got.stderr.replace(/^otool: /, "")).toBe(want.stderr.replace(/^llvm-otool-16: /, ""));
      }
    });
  }

  it("selects slices with -arch (as Apple's otool does) and labels them", async () => {
    const fx = machOFixtures();
    if (fx === undefined) return;
    const got = await ours(["-arch", "all", "-L", "libdemo_fat.dylib"], fx.dir);
    expect(got.stdout).toMatch(/^libdemo_fat\.dylib \(architecture x86_64\):\n/);
    expect(got.stdout).toMatch(/\nlibdemo_fat\.dylib \(architecture arm64\):\n\t@rpath\/libdemo\.dylib/);
    const one = await ours(["-arch", "arm64", "-h", "libdemo_fat.dylib"], fx.dir);
    expect(one.stdout).toMatch(/ 0xfeedfacf 16777228 /);
    const missing = await ours(["-arch", "ppc", "-h", "libdemo_fat.dylib"], fx.dir);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/does not contain architecture: ppc/);
  });

  it("prints usage for no files", async () => {
    const got = await ours([], process.cwd());
    expect(got.status).toBe(1);
    expect(got.stderr).toMatch(/^USAGE: otool/);
  });
});

describe("iokit otool --help", () => {
  it("prints the options on stdout, exit 0; every flag it lists is accepted", async () => {
    const got = await ours(["--help"], process.cwd());
    expect(got).toMatchObject({ status: 0, stderr: "" });
    expect(got.stdout).toMatch(/^OVERVIEW: .*\n\nUSAGE: iokit otool /);
    const listed = [...got.stdout.matchAll(/^ {2}(-\w+)\s/gm)].map((m) => m[1] as string).filter((f) => f !== "-arch");
    expect(listed.length).toBeGreaterThan(5);
    for (const flag of listed) expect((await ours([flag, "/nonexistent/x"], process.cwd())).stderr, flag).not.toMatch(/unknown argument/);
  });
});
