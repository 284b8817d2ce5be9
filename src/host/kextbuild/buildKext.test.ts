import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseXMLPlist } from "../../formats/index.ts";
import { BuildSettingsError, buildKext, expandBuildVariables, parseXcconfig } from "./index.ts";

const INFO = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleIdentifier</key><string>$(PRODUCT_BUNDLE_IDENTIFIER)</string>
<key>CFBundleExecutable</key><string>$(EXECUTABLE_NAME)</string>
<key>CFBundleVersion</key><string>\${MODULE_VERSION}</string>
<key>CFBundleName</key><string>$(PRODUCT_NAME:rfc1034identifier)</string>
</dict></plist>`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kextproj-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("build settings", () => {
  it("expands $(X), ${X}, modifiers and $$, and settings may reference earlier ones", () => {
    const s = parseXcconfig("A = com.example\n// comment\nB = $(A).My Driver\n", "p.xcconfig");
    expect(s.get("B")).toBe("com.example.My Driver");
    expect(expandBuildVariables("$(B:rfc1034identifier) ${A} $$1", s, "f")).toBe("com.example.My-Driver com.example $1");
  });
  it("names the file and line of an unknown variable or a bad line", () => {
    expect(() => expandBuildVariables("a\nb $(NOPE)", new Map(), "Info.plist")).toThrow("Info.plist:2: unknown build variable $(NOPE)");
    expect(() => parseXcconfig("A = 1\nnot a setting", "p.xcconfig")).toThrow(BuildSettingsError);
  });
});

describe("buildKext", () => {
  it("writes Apple XML Info.plist and an ES module that links the kernel API instead of bundling it", async () => {
    const dir = project({
      "project.xcconfig": "PRODUCT_NAME = Demo Driver\nPRODUCT_BUNDLE_IDENTIFIER = com.example.demo\nMODULE_VERSION = 1.2.3\nKEXT_SOURCE = src/main.ts\n",
      "Info.plist": INFO,
      "src/main.ts": `import { IOService } from "@iokit/kpi";\nimport { helper } from "./helper.ts";\nexport class DemoDriver extends IOService { override start(p: unknown) { return helper() && super.start(p as never); } }\n`,
      "src/helper.ts": "export const helper = (): boolean => true;\n",
    });
    const out = mkdtempSync(join(tmpdir(), "kextout-"));
    const r = await buildKext(dir, { outDir: out, settings: new Map([["MODULE_VERSION", "1.2.4"]]) });
    expect(r.bundleIdentifier).toBe("com.example.demo");
    const info = parseXMLPlist(readFileSync(join(r.bundlePath, "Contents/Info.plist"))) as Map<string, unknown>;
    expect(info.get("CFBundleVersion")).toBe("1.2.4");
    expect(info.get("CFBundleExecutable")).toBe("Demo Driver.mjs");
    expect(info.get("CFBundleName")).toBe("Demo-Driver");
    const exe = join(r.bundlePath, "Contents/MacOS/Demo Driver.mjs");
    const mod = (await import(exe)) as { defineClasses(kpi: unknown): Record<string, unknown> };
    class FakeService { start() { return true; } }
    const classes = mod.defineClasses({ IOService: FakeService });
    const Demo = classes.DemoDriver as new () => FakeService;
    expect(new Demo()).toBeInstanceOf(FakeService);
    expect(readFileSync(exe, "utf8")).not.toContain("class IORegistryEntry");
  });

  it("links imports of the iokit-ts source tree, so the families' kexts carry no family code", async () => {
    const out = mkdtempSync(join(tmpdir(), "kextout-"));
    const r = await buildKext(join(import.meta.dirname, "../../../kexts/IOPCIFamily"), { outDir: out });
    const text = readFileSync(join(r.bundlePath, "Contents/MacOS/IOPCIFamily.mjs"), "utf8");
    expect(text).toContain('require("@iokit/kpi")');
    expect(text).not.toContain("configRead32");
  });

  it("a codeless project gets no executable; a missing Info.plist is an error naming it", async () => {
    const out = mkdtempSync(join(tmpdir(), "kextout-"));
    const r = await buildKext(project({ "Info.plist": INFO.replace("$(EXECUTABLE_NAME)", "x"), "project.xcconfig": "PRODUCT_BUNDLE_IDENTIFIER = com.example.codeless\nKEXT_SOURCE =\n" }), { outDir: out });
    expect(r.executable).toBeUndefined();
    expect(existsSync(join(r.bundlePath, "Contents/MacOS"))).toBe(false);
    await expect(buildKext(project({ "main.ts": "" }), { outDir: out })).rejects.toThrow(/Info.plist:1: the project has no Info.plist template/);
  });
});
