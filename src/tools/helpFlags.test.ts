/**
 * Every iokit-only tool answers -h and --help with its usage on stdout and exit 0, so the usage is
 * reachable without making a mistake (Apple's tools do the same where they have a help option).
 */
import { describe, expect, it } from "vitest";
import { captureIO } from "./ToolIO.ts";
import { main as device } from "./device/main.ts";
import { main as fuzz } from "./fuzz/main.ts";
import { main as kextbuild } from "./kextbuild/main.ts";
import { main as log } from "./log/main.ts";

const tools = { device, fuzz, kextbuild, log };

describe("-h and --help", () => {
  for (const [name, main] of Object.entries(tools)) {
    for (const flag of ["-h", "--help"]) {
      it(`iokit ${name} ${flag}: the usage on stdout, exit 0`, async () => {
        const io = captureIO();
        expect(await main([flag], io)).toBe(0);
        expect(io.out()).toMatch(new RegExp(`^usage: iokit ${name}\\b`));
        expect(io.err()).toBe("");
      });
    }
    it(`iokit ${name} with a bad flag: usage on stderr, exit 64`, async () => {
      const io = captureIO();
      expect(await main(["--no-such-flag"], io)).toBe(64);
      expect(io.err()).toContain(`usage: iokit ${name}`);
    });
  }
});
