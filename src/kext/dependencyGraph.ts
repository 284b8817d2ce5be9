/**
 * The library graph of a set of kexts, for drawing and for load order.
 *
 * Nodes are kexts; an edge goes from a kext to the kext chosen for one of its `OSBundleLibraries`
 * entries, or to a dangling library identifier with the reason it failed. {@link loadOrder} sorts
 * the kexts that resolve so every library comes before the kexts that link against it — the order a
 * boot loader injecting kexts must follow (OpenCore's Kernel→Add list, where a plug-in listed before
 * Lilu panics the machine).
 */
import { OSKextVersionGetString } from "../libkern/index.ts";
import type { OSKext } from "./OSKext.ts";
import type { DependencyEdge, DependencyFailure, DependencyResolver } from "./resolveDependencies.ts";

/** One kext's outgoing edges. */
export interface DependencyGraphNode {
  readonly kext: OSKext;
  readonly ok: boolean;
  readonly edges: readonly DependencyEdge[];
}

/** Resolves every kext and returns the graph, in the kexts' order. */
export function dependencyGraph(resolver: DependencyResolver, kexts: readonly OSKext[]): DependencyGraphNode[] {
  return kexts.map((kext) => {
    const r = resolver.resolve(kext);
    return { kext, ok: r.ok, edges: r.edges };
  });
}

/** Every kext that resolves, libraries first (each kext appears once). */
export function loadOrder(resolver: DependencyResolver, kexts: readonly OSKext[]): OSKext[] {
  const out: OSKext[] = [];
  const seen = new Set<OSKext>();
  for (const k of kexts) {
    for (const x of resolver.loadList(k)) {
      if (!seen.has(x)) {
        seen.add(x);
        out.push(x);
      }
    }
  }
  return out;
}

/** Human-readable reasons for a failed edge. */
export const DEPENDENCY_FAILURE_TEXT: Readonly<Record<DependencyFailure, string>> = {
  "invalid-version": "requested version is not a valid version",
  "not-found": "no kext with this identifier",
  incompatible: "no version compatible with the request",
  "no-compatible-version": "found kexts are not libraries (no OSBundleCompatibleVersion)",
  circular: "circular dependency",
  indirect: "its own dependencies do not resolve",
};

const q = (s: string): string => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** The label a kext gets in graphs and lists: `id (version)`. */
export function kextLabel(kext: OSKext): string {
  return `${kext.bundleID ?? kext.path} (${OSKextVersionGetString(kext.version)})`;
}

/**
 * A Graphviz `digraph`: kexts are boxes (grey when they do not resolve), resolved libraries solid
 * edges labelled with the requested version, failures dashed red edges to an ellipse named after the
 * missing library, labelled with the reason.
 */
export function formatDependencyGraphDot(nodes: readonly DependencyGraphNode[]): string {
  const ids = new Map<OSKext, string>();
  const lines = ["digraph kexts {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"];
  const nodeID = (k: OSKext): string => {
    let id = ids.get(k);
    if (id === undefined) {
      id = `k${ids.size}`;
      ids.set(k, id);
      lines.push(`  ${id} [label=${q(kextLabel(k))}${k.isKernelComponent ? ", style=rounded" : ""}];`);
    }
    return id;
  };
  const missing = new Map<string, string>();
  for (const n of nodes) {
    const from = nodeID(n.kext);
    if (!n.ok) lines.push(`  ${from} [style=filled, fillcolor=lightgrey];`);
    for (const e of n.edges) {
      if (e.target !== undefined) {
        const to = nodeID(e.target);
        const bad = e.failure !== undefined;
        lines.push(`  ${from} -> ${to} [label=${q(e.requested)}${bad ? `, color=red, xlabel=${q(DEPENDENCY_FAILURE_TEXT[e.failure as DependencyFailure])}` : ""}];`);
      } else {
        let to = missing.get(e.libraryID);
        if (to === undefined) {
          to = `m${missing.size}`;
          missing.set(e.libraryID, to);
          lines.push(`  ${to} [label=${q(e.libraryID)}, shape=ellipse, color=red];`);
        }
        lines.push(`  ${from} -> ${to} [label=${q(`${e.requested}: ${DEPENDENCY_FAILURE_TEXT[e.failure as DependencyFailure]}`)}, style=dashed, color=red];`);
      }
    }
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
