import { describe, expect, it } from "vitest";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

describe("iokit ioreturn", () => {
  it("prints the name and meaning of a hex code", async () => {
    const io = captureIO();
    expect(await main(["0xe00002c2"], io)).toBe(0);
    expect(io.out()).toBe("0xe00002c2 kIOReturnBadArgument: invalid argument (errno EINVAL)\n");
  });

  it("accepts names, signed decimals and family codes", async () => {
    const io = captureIO();
    expect(await main(["kIOReturnNotPrivileged", "-536870212", "0xe0004001"], io)).toBe(0);
    expect(io.out().split("\n")).toEqual([
      "0xe00002c1 kIOReturnNotPrivileged: privilege violation (errno EACCES)",
      "0xe00002bc kIOReturnError: general error (errno EIO)",
      "0xe0004001 (unnamed): I/O Kit usb code 0x1",
      "",
    ]);
  });

  it("answers -h, -help and --help with its usage, exit 0", async () => {
    for (const flag of ["-h", "-help", "--help"]) {
      const io = captureIO();
      expect(await main([flag], io), flag).toBe(0);
      expect(io.out()).toMatch(/^usage: iokit ioreturn /);
      expect(io.err()).toBe("");
    }
  });

  it("rejects what is not a code with one line and exit 1", async () => {
    const io = captureIO();
    expect(await main(["banana"], io)).toBe(1);
    expect(io.err()).toBe("ioreturn: 'banana' is not an IOReturn code or name\n");
  });
});
