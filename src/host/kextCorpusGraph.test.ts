/**
 * The dependency graph of the whole corpus (A_kext_infoplists wrapped as bundles, xnu's
 * pseudo-kexts stamped with kernel 18.7.0): structure a user relies on when ordering kexts.
 */
import { describe, expect, it } from "vitest";
import { loadKextSet } from "./index.ts";
import { wrapCorpusKexts } from "../../test/support/kextCorpus.ts";
import { DependencyResolver, dependencyGraph, formatDependencyGraphDot, loadOrder } from "../kext/index.ts";
import { OSKextIsCompatibleWithVersion as compatible } from "../libkern/index.ts";

const corpus = wrapCorpusKexts();

describe.skipIf(corpus === undefined)("corpus dependency graph", async () => {
  if (corpus === undefined) return;
  const c = corpus;
  const { set } = await loadKextSet({ kexts: c.kexts.map((k) => k.bundle), systemExtensions: false }, { kernelVersion: "18.7.0" });
  const resolver = new DependencyResolver(set);
  const graph = dependencyGraph(resolver, set.all());
  const shipped = graph.filter((n) => n.kext.path.includes("/built-efi__"));
  const byID = (id: string) => shipped.find((n) => n.kext.bundleID === id)!;

  it("gives each failed edge a reason consistent with its candidates", () => {
    for (const n of graph) {
      for (const e of n.edges) {
        if (e.failure === "not-found") expect(e.candidates).toEqual([]);
        if (e.failure === "incompatible" || e.failure === "no-compatible-version") {
          expect(e.candidates.length).toBeGreaterThan(0);
          expect(e.candidates.some((k) => compatible(k.version, k.compatibleVersion, e.requestedVersion))).toBe(false);
        }
        if (e.failure === undefined) expect(compatible(e.target!.version, e.target!.compatibleVersion, e.requestedVersion)).toBe(true);
      }
      expect(n.ok).toBe(n.edges.every((e) => e.failure === undefined) && resolver.resolve(n.kext).diagnostics.length === 0);
    }
  });

  it("links the shipped Lilu plug-ins to the shipped Lilu and VirtualSMC, and every KPI to a kernel component", () => {
    expect(shipped.length).toBe(12);
    const lilu = byID("as.vit9696.Lilu").kext;
    for (const id of ["as.vit9696.AppleALC", "as.vit9696.VirtualSMC", "as.vit9696.SMCProcessor", "ru.usrsse2.SMCBatteryManager"]) {
      expect(byID(id).edges.find((e) => e.libraryID === "as.vit9696.Lilu")?.target).toBe(lilu);
    }
    expect(byID("as.vit9696.SMCProcessor").edges.find((e) => e.libraryID === "as.vit9696.VirtualSMC")?.target).toBe(byID("as.vit9696.VirtualSMC").kext);
    for (const n of shipped) {
      for (const e of n.edges.filter((x) => x.libraryID.startsWith("com.apple.kpi."))) {
        expect(e.failure, `${n.kext.bundleID} -> ${e.libraryID}`).toBeUndefined();
        expect(e.target?.isKernelComponent).toBe(true);
      }
    }
  });

  it("orders libraries before their clients (Lilu, then VirtualSMC, then its sensors)", () => {
    const order = loadOrder(resolver, shipped.map((n) => n.kext)).map((k) => k.bundleID);
    const at = (id: string) => order.indexOf(id);
    expect(at("as.vit9696.Lilu")).toBeGreaterThanOrEqual(0);
    expect(at("as.vit9696.Lilu")).toBeLessThan(at("as.vit9696.VirtualSMC"));
    expect(at("as.vit9696.VirtualSMC")).toBeLessThan(at("as.vit9696.SMCProcessor"));
    expect(at("as.acidanthera.voodoo.driver.PS2Controller")).toBeGreaterThanOrEqual(0);
    for (const n of shipped.filter((x) => x.ok)) {
      for (const e of n.edges) expect(order.indexOf(e.target!.bundleID!)).toBeLessThan(order.indexOf(n.kext.bundleID!));
    }
  });

  it("explains what does not resolve: missing families, too-old IOACPIFamily, and what that breaks", () => {
    const voodoo = byID("com.alexandred.VoodooI2C");
    expect(voodoo.ok).toBe(false);
    expect(voodoo.edges.find((e) => e.libraryID === "com.apple.iokit.IOACPIFamily")?.failure).toBe("incompatible");
    expect(voodoo.edges.find((e) => e.libraryID === "org.coolstar.VoodooGPIO")?.failure).toBe("not-found");
    expect(byID("com.alexandred.VoodooI2CHID").edges.find((e) => e.libraryID === "com.alexandred.VoodooI2C")?.failure).toBe("indirect");
    const dot = formatDependencyGraphDot(graph);
    expect(dot).toMatch(/^digraph kexts \{\n/);
    expect(dot).toContain('label="org.coolstar.VoodooGPIO", shape=ellipse');
  });
});
