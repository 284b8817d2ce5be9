/**
 * `iokit kextstat [-l] [-k] [-a] [-b ID]…`: the loaded kexts of the running kernel (the daemon at
 * `IOKIT_SOCKET`, else this process's embedded kernel), in kext_tools' columns (spec §4.6).
 */
import { Routine, type WireValue } from "../../ipc/index.ts";
import { formatKextstat, type LoadedKext } from "../../kext/index.ts";
import { connectIOKit } from "../../host/index.ts";
import { parseToolArgs } from "../parseToolArgs.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "display status of loaded kernel extensions";

const USAGE = "usage: kextstat [-a] [-k] [-l] [-b bundle_id] ...\n";

/** Rebuilds the loaded list from the wire (see host's loadedToWire). */
export function loadedFromWire(v: WireValue): LoadedKext[] {
  if (!Array.isArray(v)) return [];
  return (v as WireValue[]).flatMap((e): LoadedKext[] => {
    if (!Array.isArray(e)) return [];
    const [tag, bundleID, version, isKernelComponent, refs, deps, started, classes] = e as WireValue[];
    if (typeof tag !== "number" || typeof bundleID !== "string" || typeof version !== "bigint") return [];
    return [{
      tag, bundleID, version, kext: undefined, isKernelComponent: isKernelComponent === true, refs: typeof refs === "number" ? refs : 0,
      dependencyTags: Array.isArray(deps) ? (deps as WireValue[]).filter((d): d is number => typeof d === "number") : [],
      started: started === true, classes: Array.isArray(classes) ? (classes as WireValue[]).filter((c): c is string => typeof c === "string") : [],
    }];
  });
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  // -h, -help, --help as in Apple's tool (getopt_long_only): the usage on stdout, exit 0.
  const parsed = parseToolArgs(argv, { short: "akb:l", long: [] }, "kextstat", USAGE, io);
  if (typeof parsed === "number") return parsed;
  if (parsed.operands.length > 0) {
    io.stderr(USAGE);
    return 64;
  }
  const ids = parsed.options.filter((o) => o.id === "b").map((o) => o.value as string);
  const has = (c: string): boolean => parsed.options.some((o) => o.id === c);
  const { lib } = await connectIOKit({ env: io.env });
  try {
    const loaded = loadedFromWire(await lib.call(Routine.kextStat));
    io.stdout(formatKextstat(loaded, {
      list: has("l"), hideKernelComponents: has("k"), bundleIDs: ids, ...(has("a") ? { arch: "x86_64" } : {}),
    }));
    return 0;
  } finally {
    lib.close();
  }
}
