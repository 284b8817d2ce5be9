import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { corpusFiles } from "../../../test/support/corpus.ts";
import { OSDate, OSUID, dict, num, type OSDictionary, type OSValue } from "../../libkern/index.ts";
import { writeBinaryPlist } from "../plist/index.ts";
import {
  KeyedArchiveError, archive, describeIORegistryExplorerArchive, readIORegistryExplorerArchive, readIORegistryExplorerGraph,
  readIORegistryExplorerSave, type IORegExplorerNode,
} from "./index.ts";

const xmlProps = (entries: Record<string, string>) => new TextEncoder().encode(
  `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n` +
  Object.entries(entries).map(([k, v]) => `\t<key>${k}</key>\n\t<string>${v}</string>\n`).join("") + "</dict>\n</plist>\n");

function entry(name: string, chain: string[], props: Record<string, string>, extra: Record<string, OSValue> = {}): OSDictionary {
  return dict({
    $classname: "RexRegistryEntry", $classes: ["RexRegistryEntry", "NSObject"],
    name, inheritance: chain, properties: xmlProps(props), entryTag: num(7), kernelRetainCount: num(5), busyCount: num(0),
    isRegistered: true, isMatched: false, isActive: true, isRegistryRoot: false, bundleID: "com.apple.kernel",
    namesInPlanes: dict({}), locationsInPlanes: dict({}), childrenInPlanes: dict({}), ...extra,
  });
}

/** A small document: Root → Platform → (PCI@0 → Shared), and Root → Shared in IODeviceTree. */
function sampleDocument(): OSDictionary {
  const leaf = entry("Leaf", ["IOService", "IORegistryEntry", "OSObject"], {});
  const shared = entry("Shared", ["SharedThing", "IOService", "IORegistryEntry", "OSObject"], { IOClass: "SharedThing" }, {
    childrenInPlanes: dict({ IODeviceTree: [leaf] }),
  });
  const pci = entry("PCI0", ["IOPCIBridge", "IOService", "IORegistryEntry", "OSObject"], { a: "1" }, {
    location: "0", locationsInPlanes: dict({ IODeviceTree: "0,0" }),
    childrenInPlanes: dict({ IOService: [shared], IODeviceTree: [shared] }),
  });
  const platform = entry("Mac", ["IOPlatformExpertDevice", "IOService", "IORegistryEntry", "OSObject"], { model: "Mac1,1" }, {
    childrenInPlanes: dict({ IOService: [pci] }),
  });
  const root = entry("Root", ["IORegistryEntry", "OSObject"], { IOKitBuildVersion: "Darwin" }, {
    isRegistryRoot: true,
    namesInPlanes: dict({ IODeviceTree: "/" }),
    childrenInPlanes: dict({ IOService: [platform], IODeviceTree: [pci, shared] }),
  });
  return archive(dict({
    $classname: "RexDataStore", $classes: ["RexDataStore", "NSObject"],
    hostName: "host", archName: "i386", byteOrder: num(1), dataStoreVersion: num(1), isUpToDate: true,
    lastUpdateDate: new OSDate(100), registryPlanes: ["IOService", "IODeviceTree"], registryEntries: [root, platform, pci, shared, leaf],
  }));
}

const names = (n: IORegExplorerNode): unknown => [n.name, n.children.map(names)];

describe("readIORegistryExplorerArchive()", () => {
  it("builds the plane's tree with class, location, properties and flags", () => {
    const root = readIORegistryExplorerArchive(sampleDocument());
    expect(names(root)).toEqual(["Root", [["Mac", [["PCI0", [["Shared", []]]]]]]]);
    const pci = root.children[0]?.children[0] as IORegExplorerNode;
    expect(pci.className).toBe("IOPCIBridge");
    expect(pci.inheritance).toEqual(["IOPCIBridge", "IOService", "IORegistryEntry", "OSObject"]);
    expect(pci.location).toBe("0");
    expect(pci.properties).toEqual(dict({ a: "1" }));
    expect([pci.entryTag, pci.retainCount, pci.bundleID, pci.state]).toEqual([7, 5, "com.apple.kernel", { registered: true, matched: false, active: true }]);
    expect(pci.entryID).toBeUndefined();
  });

  it("uses per-plane names and locations", () => {
    const root = readIORegistryExplorerArchive(sampleDocument(), { plane: "IODeviceTree" });
    expect(names(root)).toEqual(["/", [["PCI0", [["Shared", [["Leaf", []]]]]], ["Shared", [["Leaf", []]]]]]);
    expect(root.children[0]?.location).toBe("0,0");
    // The same entry under two parents is one node.
    expect(root.children[1]).toBe(root.children[0]?.children[0]);
  });

  it("lists every entry once with per-plane children as indexes", () => {
    const g = readIORegistryExplorerGraph(sampleDocument());
    expect(g.entries.map((e) => e.name)).toEqual(["Root", "Mac", "PCI0", "Shared", "Leaf"]);
    expect(g.root).toBe(0);
    expect(g.entries[0]?.childrenInPlanes).toEqual(new Map([["IOService", [1]], ["IODeviceTree", [2, 3]]]));
    expect(g.entries[2]?.locationsInPlanes.get("IODeviceTree")).toBe("0,0");
  });

  it("reads the same document from binary-plist bytes", () => {
    const root = readIORegistryExplorerSave(writeBinaryPlist(sampleDocument()));
    expect(names(root)).toEqual(["Root", [["Mac", [["PCI0", [["Shared", []]]]]]]]);
    expect(root.children[0]?.properties).toEqual(dict({ model: "Mac1,1" }));
  });

  it("describes the document", () => {
    const d = describeIORegistryExplorerArchive(sampleDocument());
    expect(d).toEqual({ hostName: "host", archName: "i386", planes: ["IOService", "IODeviceTree"], lastUpdate: new OSDate(100), entryCount: 5 });
  });

  it("rejects other archives, text files and registry cycles", () => {
    expect(() => readIORegistryExplorerArchive(archive(dict({ a: "b" })))).toThrow(/not a RexDataStore/);
    expect(() => readIORegistryExplorerSave(new TextEncoder().encode("+-o Root  <class IORegistryEntry>"))).toThrow(/binary property list/);
    // Make PCI0 a child of Shared as well: a cycle in the IOService plane.
    const doc = sampleDocument();
    const objects = doc.get("$objects") as OSValue[];
    const index = (name: string) => objects.findIndex((o) => o instanceof Map && o.get("name") !== undefined && objects[(o.get("name") as OSUID).value] === name);
    const shared = objects[index("Shared")] as OSDictionary;
    const pciChildren = objects[index("PCI0")] as OSDictionary;
    shared.set("childrenInPlanes", pciChildren.get("childrenInPlanes") as OSValue);
    expect(() => readIORegistryExplorerArchive(doc)).toThrow(KeyedArchiveError);
    expect(() => readIORegistryExplorerArchive(doc)).toThrow(/own ancestor/);
  });
});

const saves = corpusFiles("B_ioreg", (p) => p.endsWith(".ioreg"));
const hasPython = (() => { try { execFileSync("python3", ["-c", "import plistlib"]); return true; } catch { return false; } })();

const ORACLE = `
import plistlib, sys, json
p = plistlib.load(open(sys.argv[1], 'rb')); o = p['$objects']
d = lambda v: o[v.data] if isinstance(v, plistlib.UID) else v
ents = d(d(o[p['$top']['root'].data]['registryEntries']))['NS.objects']
root = [e for e in ents if d(e)['isRegistryRoot']][0]
def kids(e):
    c = d(d(e)['childrenInPlanes'])
    for k, v in zip(c['NS.keys'], c['NS.objects']):
        if d(k) == 'IOService': return d(v)['NS.objects']
    return []
seen = set(); st = [root]
while st:
    e = st.pop()
    if e.data in seen: continue
    seen.add(e.data); st.extend(kids(e))
print(json.dumps({"entries": len(ents), "ioservice": len(seen)}))
`;

describe("IORegistryExplorer saves in the corpus", () => {
  it.skipIf(saves.length === 0)("every binary .ioreg opens; IOService-plane entry counts equal plistlib's walk", () => {
    let opened = 0;
    for (const f of saves) {
      const bytes = readFileSync(f);
      if (bytes.subarray(0, 8).toString() !== "bplist00") {
        expect(() => readIORegistryExplorerSave(bytes), f).toThrow(/binary property list/);
        continue;
      }
      const root = readIORegistryExplorerSave(bytes);
      const unique = new Set<IORegExplorerNode>();
      const stack = [root];
      while (stack.length) { const n = stack.pop() as IORegExplorerNode; if (!unique.has(n)) { unique.add(n); stack.push(...n.children); } }
      expect(root.className, f).toBe("IORegistryEntry");
      expect(root.children.length, f).toBeGreaterThan(0);
      if (hasPython) {
        const oracle = JSON.parse(execFileSync("python3", ["-c", ORACLE, f]).toString()) as { ioservice: number };
        expect(unique.size, f).toBe(oracle.ioservice);
      }
      opened++;
    }
    expect(opened).toBeGreaterThan(0);
  });
});
