import { chmodSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { parseBinaryPlist, unserializeXML } from "../../formats/index.ts";
import { kextInfo, tempDir, writeKext } from "../../../test/support/kextFixtures.ts";
import { captureIO } from "../ToolIO.ts";
import { main } from "./main.ts";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function folder(): string {
  const dir = tempDir();
  writeKext(join(dir, "Foo.kext"), kextInfo({ IOKitPersonalities: { Foo: { IOClass: "FooDriver", IOProviderClass: "IOPCIDevice" }, Other: { CFBundleIdentifier: "com.example.Other", IOClass: "X", IOProviderClass: "IOResources" } } }));
  writeKext(join(dir, "Bad.kext"), kextInfo({ CFBundleIdentifier: "com.example.Bad", CFBundleVersion: "$(MODULE_VERSION)" }));
  const t = new Date("2024-01-02T03:04:05.250Z");
  utimesSync(dir, t, t);
  return dir;
}

async function kextcache(...argv: string[]) {
  const io = captureIO();
  const status = await main(argv, io);
  return { status, out: io.out(), err: io.err() };
}

describe("kextcache", () => {
  it("writes identifier and personality caches stamped folder mtime + 1 s", async () => {
    const dir = folder();
    const root = tempDir();
    const r = await kextcache("-cache-root", root, dir);
    expect(r.status).toBe(0);
    expect(r.err).toBe(`${join(dir, "Bad.kext")} is not valid; omitting.\n`);
    const cacheDir = join(root, "Directories", dir);
    // Apple writes the identifier cache as a CF binary plist, gzip-compressed.
    const raw = gunzipSync(readFileSync(join(cacheDir, "KextIdentifiers.plist.gz")));
    expect(new TextDecoder().decode(raw.subarray(0, 8))).toBe("bplist00");
    const ids = parseBinaryPlist(new Uint8Array(raw)) as Map<string, unknown>;
    expect(String(ids.get("OSKextIdentifierCacheVersion"))).toBe("2");
    expect(ids.get("OSKextIdentifierCacheBasePath")).toBe(dir);
    const infos = ids.get("OSKextIdentifierCacheKextInfo") as Map<string, unknown>[];
    expect(infos.map((i) => i.get("OSBundlePath"))).toEqual(["Foo.kext"]);
    expect(infos[0]?.get("CFBundleIdentifier")).toBe("com.example.driver.Foo");
    expect(infos[0]?.has("IOKitPersonalities")).toBe(false);
    const personalities = unserializeXML(new TextDecoder().decode(gunzipSync(readFileSync(join(cacheDir, "IOKitPersonalities_x86_64.ioplist.gz"))))) as Map<string, unknown>[];
    expect(personalities.map((p) => [p.get("IOClass"), p.get("CFBundleIdentifier"), p.get("IOPersonalityPublisher")])).toEqual([
      ["FooDriver", "com.example.driver.Foo", undefined],
      ["X", "com.example.Other", "com.example.driver.Foo"],
    ]);
    const st = statSync(join(cacheDir, "IOKitPersonalities_x86_64.ioplist.gz"));
    expect(st.mtimeMs).toBeCloseTo(statSync(dir).mtimeMs + 1000, 0);
    expect(st.mode & 0o777).toBe(0o644);
  });
  it("writes an identifier cache python3's gzip + plistlib read back", async () => {
    const dir = folder();
    const root = tempDir();
    await kextcache("-cache-root", root, dir);
    const py = spawnSync("python3", ["-c", [
      "import gzip, plistlib, sys, json",
      "d = plistlib.loads(gzip.open(sys.argv[1]).read())",
      "print(json.dumps([d['OSKextIdentifierCacheVersion'], d['OSKextIdentifierCacheBasePath'], [k['OSBundlePath'] for k in d['OSKextIdentifierCacheKextInfo']]]))",
    ].join("\n"), join(root, "Directories", dir, "KextIdentifiers.plist.gz")], { encoding: "utf8" });
    if (py.error) return console.warn("python3 not found; skipping the plistlib oracle");
    expect(py.stderr).toBe("");
    expect(JSON.parse(py.stdout)).toEqual([2, dir, ["Foo.kext"]]);
    const header = readFileSync(join(root, "Directories", dir, "KextIdentifiers.plist.gz")).subarray(0, 10);
    expect([...header.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // gzip, deflate, no name
    expect(header.readUInt32LE(4)).toBe(0); // no mtime in the header, as gzdopen writes
  });
  it("-check: current after a build (as root), stale once the folder changes", async () => {
    const dir = folder();
    const root = tempDir();
    await kextcache("-cache-root", root, dir);
    const fresh = await kextcache("-cache-root", root, "-check", dir);
    if (isRoot) {
      expect(fresh.status).toBe(0);
      expect(fresh.out).toContain("is up to date.");
    } else {
      expect(fresh.err).toContain("owner not root:wheel; not using.");
    }
    writeKext(join(dir, "New.kext"), kextInfo({ CFBundleIdentifier: "com.example.New" }));
    const t = new Date("2025-01-01T00:00:00Z");
    utimesSync(dir, t, t);
    const stale = await kextcache("-cache-root", root, "-check", dir);
    expect(stale.status).toBe(4);
    expect(stale.err).toMatch(/Cache file .*KextIdentifiers\.plist\.gz (is out of date; not using\.|- owner not root:wheel; not using\.)/);
    chmodSync(join(root, "Directories", dir, "KextIdentifiers.plist.gz"), 0o600);
    if (isRoot) expect((await kextcache("-cache-root", root, "-check", dir)).err).toContain("permissions not 0644");
    expect((await kextcache("-cache-root", tempDir(), "-check", dir)).err).toContain("does not exist.");
  });
  it("uses Apple's exit codes for help and bad arguments", async () => {
    expect((await kextcache("-h")).status).toBe(33);
    expect((await kextcache()).status).toBe(64);
    expect((await kextcache(join(tempDir(), "none"))).status).toBe(66);
  });
});
