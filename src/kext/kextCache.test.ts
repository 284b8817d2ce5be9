import { describe, expect, it } from "vitest";
import type { BundleFileStat } from "./BundleSource.ts";
import { kextCacheDirectory, kextCacheFileName, kextCacheProblem } from "./kextCache.ts";

const source = Date.UTC(2024, 0, 2, 3, 4, 5, 250);
const cache = (over: Partial<BundleFileStat> = {}): BundleFileStat =>
  ({ type: "file", uid: 0, gid: 0, mode: 0o644, mtimeMs: source + 1000, size: 10, ...over });

describe("kext cache staleness (_OSKextReadCache)", () => {
  it("uses a root:wheel 0644 regular file whose mtime is exactly the source's + 1 s", () => {
    expect(kextCacheProblem(cache(), source)).toBeUndefined();
  });
  it("rejects any other mtime, even by a millisecond either way", () => {
    for (const delta of [0, 999, 1001, 2000, -1000]) expect(kextCacheProblem(cache({ mtimeMs: source + delta }), source)).toBe("out-of-date");
  });
  it("rejects wrong owner, group, mode, file type and absence", () => {
    expect(kextCacheProblem(cache({ uid: 501 }), source)).toBe("owner");
    expect(kextCacheProblem(cache({ gid: 20 }), source)).toBe("owner");
    for (const mode of [0o664, 0o600, 0o444, 0o755]) expect(kextCacheProblem(cache({ mode }), source)).toBe("mode");
    expect(kextCacheProblem(cache({ type: "directory" }), source)).toBe("not-regular");
    expect(kextCacheProblem(undefined, source)).toBe("missing");
  });
  it("names cache files and folders as Apple does", () => {
    expect(kextCacheDirectory("/System/Library/Caches/com.apple.kext.caches/", "/System/Library/Extensions/"))
      .toBe("/System/Library/Caches/com.apple.kext.caches/Directories/System/Library/Extensions");
    expect(kextCacheFileName("IOKitPersonalities", "x86_64", ".ioplist.gz")).toBe("IOKitPersonalities_x86_64.ioplist.gz");
    expect(kextCacheFileName("KextIdentifiers", undefined, ".plist.gz")).toBe("KextIdentifiers.plist.gz");
  });
});
