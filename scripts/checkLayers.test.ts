import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../test/support/corpus.ts";
import { checkTree, importsOf, parseLayerTable } from "./checkLayers.ts";

const rules = parseLayerTable(readFileSync(join(repoRoot, "ARCHITECTURE.md"), "utf8"));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe("checkLayers", () => {
  it("reads the layer table from ARCHITECTURE.md", () => {
    expect(rules.get("base")?.mayImport.size).toBe(0);
    expect(rules.get("kernel")?.mayImport.has("kext")).toBe(false);
    expect(rules.get("tools")?.node).toBe(true);
    expect(rules.get("formats")?.node).toBe(false);
  });

  it("finds static, type-only, re-export and dynamic imports", () => {
    expect(importsOf(`import a from "./a.ts";\nimport type { B } from "../b/index.ts";\nexport * from "./c.ts";\nconst d = await import("./d.ts");`))
      .toEqual(["./a.ts", "../b/index.ts", "./c.ts", "./d.ts"]);
  });

  it("passes the real tree", () => {
    expect(checkTree(join(repoRoot, "src"), rules)).toEqual([]);
  });

  it("reports an upward import, a deep import, a Node built-in below host, and a cycle", () => {
    const dir = tree({
      "base/index.ts": `export * from "../kernel/index.ts";`,
      "kernel/index.ts": `export const k = 1;`,
      "formats/x.ts": `import { readFileSync } from "node:fs"; import { OSNumber } from "../libkern/OSValue.ts";`,
      "libkern/OSValue.ts": `export class OSNumber {}`,
      "libkern/a.ts": `import "./b.ts";`,
      "libkern/b.ts": `import "./a.ts";`,
    });
    const messages = checkTree(dir, rules).map((v) => `${v.file}: ${v.message}`);
    expect(messages.some((m) => m.startsWith("base/index.ts: imports src/kernel"))).toBe(true);
    expect(messages.some((m) => m.includes("must go through an index.ts"))).toBe(true);
    expect(messages.some((m) => m.includes("may not use Node built-ins"))).toBe(true);
    expect(messages.some((m) => m.includes("import cycle"))).toBe(true);
  });
});
