import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kIOReturnSuccess } from "../base/index.ts";
import { IOKernel, IOService, OSMetaClass } from "../kernel/index.ts";
import { KextRuntime, KextSet, readKextsInFolder } from "../kext/index.ts";
import { kextInfo, kpiInfo, tempDir, writeKext } from "../../test/support/kextFixtures.ts";
import { writeJsKextFolder } from "../../test/support/jsKextFixtures.ts";
import { FsBundleSource, importKextModule } from "./index.ts";

class HostTestNub extends IOService {}
OSMetaClass.define(HostTestNub, "HostTestNub");

describe("importKextModule", () => {
  it("loads a kext whose executable is an ES module building its classes from the kernel API", async () => {
    const dir = tempDir();
    writeKext(join(dir, "IOKit.kext"), kpiInfo("com.apple.kpi.iokit", "18.7.0"));
    writeKext(join(dir, "Libkern.kext"), kpiInfo("com.apple.kpi.libkern", "18.7.0"));
    const kext = writeKext(join(dir, "Js.kext"), kextInfo({
      CFBundleIdentifier: "com.example.JsDriver", CFBundleExecutable: "JsDriver.mjs",
      IOKitPersonalities: { J: { IOClass: "HostJsDriver", IOProviderClass: "HostTestNub" } },
    }), { executable: false });
    mkdirSync(join(kext, "Contents", "MacOS"));
    writeFileSync(join(kext, "Contents", "MacOS", "JsDriver.mjs"), [
      "export function defineClasses(kpi) {",
      "  class HostJsDriver extends kpi.IOService {",
      "    start(provider) { this.setProperty('Started', true); return true; }",
      "  }",
      "  return { HostJsDriver };",
      "}",
      "export function start() { return 0; }",
      "",
    ].join("\n"));
    const set = new KextSet(await readKextsInFolder(new FsBundleSource(), dir));
    const rt = new KextRuntime(set, importKextModule);
    const kernel = new IOKernel({ kextLoader: rt });
    rt.attachKernel(kernel);
    expect(await rt.loadKextWithIdentifier("com.example.JsDriver")).toBe(kIOReturnSuccess);
    const nub = new HostTestNub(kernel.registry);
    nub.attach(kernel.platform);
    nub.registerService();
    await kernel.runUntilIdle();
    const client = nub.getClients()[0];
    expect(client?.className).toBe("HostJsDriver");
    expect(client?.getProperty("Started")).toBe(true);
    expect(client?.getKmodName()).toBe("com.example.JsDriver");
  });

  it("runs a rebuilt executable's new code after an unload, and links fresh classes per load", async () => {
    const source = (build: string): string => `export function defineClasses(kpi) {\n  class HostRebuiltDriver extends kpi.IOService {\n    start(p) { this.setProperty('Build', '${build}'); return super.start(p); }\n  }\n  return { HostRebuiltDriver };\n}\n`;
    const { dir, paths } = writeJsKextFolder([{
      id: "com.example.Rebuilt", code: source("one"),
      info: { IOKitPersonalities: { R: { IOClass: "HostRebuiltDriver", IOProviderClass: "HostTestNub" } } },
    }]);
    const exe = join(paths.get("com.example.Rebuilt") as string, "Contents", "MacOS", "Rebuilt.mjs");
    const write = (build: string, when: number): void => {
      writeFileSync(exe, source(build));
      utimesSync(exe, when, when);
    };
    write("one", 1_000_000);
    const set = new KextSet(await readKextsInFolder(new FsBundleSource(), dir));
    const rt = new KextRuntime(set, importKextModule);
    const kernel = new IOKernel({ kextLoader: rt });
    rt.attachKernel(kernel);
    const build = async (): Promise<unknown> => {
      expect(await rt.loadKextWithIdentifier("com.example.Rebuilt")).toBe(kIOReturnSuccess);
      const nub = new HostTestNub(kernel.registry);
      nub.attach(kernel.platform);
      nub.registerService();
      await kernel.runUntilIdle();
      const d = nub.getClients()[0];
      const ctor = OSMetaClass.getMetaClassWithName("HostRebuiltDriver", kernel.registry)?.ctor;
      nub.terminate();
      await kernel.runUntilIdle();
      expect(await rt.unloadKextWithIdentifier("com.example.Rebuilt")).toBe(kIOReturnSuccess);
      return [d?.getProperty("Build"), ctor];
    };
    const [first, c1] = (await build()) as [unknown, unknown];
    write("two-rebuilt", 2_000_000);
    const [second, c2] = (await build()) as [unknown, unknown];
    expect([first, second]).toEqual(["one", "two-rebuilt"]);
    expect(c1).not.toBe(c2);
  });
});
