import { describe, expect, it } from "vitest";
import { captureIO } from "../ToolIO.ts";
import { main as kextload } from "../kextload/main.ts";
import { main as kextstat } from "./main.ts";
import { main as kextunload } from "../kextunload/main.ts";

// kextstat, kextload and kextunload parse with getopt_long_only and take -h/--help as Apple's do;
// help is answered before any connection to a kernel, so no daemon is needed here.
describe("kextstat, kextload, kextunload -h/-help/--help", () => {
  for (const [name, main] of [["kextstat", kextstat], ["kextload", kextload], ["kextunload", kextunload]] as const) {
    it(`${name} prints its usage on stdout and exits 0`, async () => {
      for (const flag of ["-h", "-help", "--help"]) {
        const io = captureIO({ env: { IOKIT_SOCKET: "/nonexistent/iokit.sock" } });
        expect(await main([flag], io), flag).toBe(0);
        expect(io.out()).toMatch(new RegExp(`^usage: ${name} `));
        expect(io.err()).toBe("");
      }
      const bad = captureIO();
      expect(await main(["-Z"], bad)).toBe(64);
      expect(bad.err()).toMatch(new RegExp(`^${name}: [^\\n]*Z[^\\n]*\\nusage: ${name} `));
    });
  }
});
