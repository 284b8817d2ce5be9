import { describe, expect, it } from "vitest";
import { EISDIR, ENOENT, errnoName, strerror, systemErrorText } from "./errno.ts";

describe("errno texts", () => {
  it("gives Darwin's strerror text for a system error's code, else the error's message", () => {
    const fsError = (code: string) => Object.assign(new Error(`${code}: raw node text, open 'x'`), { code });
    expect(systemErrorText(fsError("ENOENT"))).toBe("No such file or directory");
    expect(systemErrorText(fsError("EISDIR"))).toBe("Is a directory");
    expect(systemErrorText(fsError("EACCES"))).toBe("Permission denied");
    expect(systemErrorText(fsError("ELOOP"))).toBe("ELOOP: raw node text, open 'x'");
    expect(systemErrorText(new Error("plain"))).toBe("plain");
    expect(systemErrorText("thrown string")).toBe("thrown string");
  });
  it("names and describes errno values, with a fallback outside the table", () => {
    expect([errnoName(ENOENT), strerror(ENOENT)]).toEqual(["ENOENT", "No such file or directory"]);
    expect([errnoName(EISDIR), strerror(EISDIR)]).toEqual(["EISDIR", "Is a directory"]);
    expect([errnoName(999), strerror(999)]).toEqual(["E999", "Unknown error: 999"]);
  });
});
