import { describe, expect, it } from "vitest";
import {
  errCode, errnoFromReturn, formatIOReturn, ioReturnFromName, ioReturnName, kIOReturnBadArgument,
  kIOReturnError, kIOReturnInvalid, kIOReturnNotFound, kOSKextReturn, stringFromReturn, sys_iokit,
} from "./IOReturn.ts";
import { IOReturnError, OSKextError } from "./errors.ts";

describe("IOReturn", () => {
  it("builds codes from Apple's bit layout", () => {
    expect(sys_iokit).toBe(0xe0000000);
    expect(kIOReturnError).toBe(0xe00002bc);
    expect(errCode(0x38, 1, 0x1)).toBe(0xe0004001);
    expect(kOSKextReturn.Dependencies).toBe(0xdc00800e);
  });

  it("names codes and looks them up by name", () => {
    expect(ioReturnName(0xe00002c2)).toBe("kIOReturnBadArgument");
    expect(ioReturnFromName("kIOReturnBadArgument")).toBe(kIOReturnBadArgument);
    expect(ioReturnFromName("BadArgument")).toBe(kIOReturnBadArgument);
    expect(ioReturnName(0xe00002cb)).toBeUndefined();
  });

  it("gives stringFromReturn texts and the UNDEFINED fallback", () => {
    expect(stringFromReturn(kIOReturnBadArgument)).toBe("invalid argument");
    expect(stringFromReturn(kIOReturnInvalid)).toBe("unanticipated driver error");
    expect(stringFromReturn(kIOReturnNotFound)).toBe("0xe00002f0 (UNDEFINED)");
    expect(stringFromReturn(0)).toBe("success");
  });

  it("maps errno, defaulting to EIO", () => {
    expect(errnoFromReturn(0xe00002c7)).toBe("ENOTSUP");
    expect(errnoFromReturn(0xe00002cf)).toBe("EROFS");
    expect(errnoFromReturn(0x12345)).toBe("EIO");
  });

  it("formats as 0x%08x", () => {
    expect(formatIOReturn(0)).toBe("0x00000000");
    expect(formatIOReturn(-536870212)).toBe("0xe00002bc");
  });

  it("carries the code and its name in errors", () => {
    const e = new IOReturnError(kIOReturnBadArgument, "Cannot open user client");
    expect(e.code).toBe(0xe00002c2);
    expect(e.message).toBe("Cannot open user client (kIOReturnBadArgument)");
    const k = new OSKextError(kOSKextReturn.Dependencies as number, "Cannot resolve", "com.example.x");
    expect(k.bundleId).toBe("com.example.x");
    expect(k.name).toBe("OSKextError");
  });
});
