/**
 * `iokit boot [--once] [--machine FILE] [--extensions DIR]… [--print-machine] [-q]`: boots a virtual
 * Mac — the embedded VirtualMac1,1 or a machine description plist — with the bundled extensions (or
 * the folders given), prints the kernel log and a summary (kexts loaded, drivers matched, time to
 * quiescence), then keeps the kernel running until interrupted; `--once` exits after the summary.
 * `--print-machine` writes the default machine description as an XML plist (a starting point for
 * your own). Exit codes: 0, 1 boot failed (bad machine description: one line naming device and key),
 * 64 usage, 66 a file or folder that does not exist.
 *
 * This is the minimal boot command of the machine work; the daemon (`h/daemon`) serves clients
 * over IPC from the same `bootSystem`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defaultMachine, MachineDescriptionError } from "../../drivers/index.ts";
import { parseBinaryPlist, isBinaryPlist, parseXMLPlist, writeXMLPlist } from "../../formats/index.ts";
import { bootSystem, defaultExtensionsFolder, type BootedSystem } from "../../host/index.ts";
import type { OSValue } from "../../libkern/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "boot a virtual Mac (default VirtualMac1,1) with the bundled extensions";

const USAGE = `usage: iokit boot [--once] [--machine file.plist] [--extensions dir]... [--print-machine] [-q]
  --once            exit after the boot summary
  --machine FILE    boot this machine description (docs/machine.md) instead of VirtualMac1,1
  --extensions DIR  load kexts from DIR (repeatable; default: the bundled extensions folder)
  --print-machine   print the default machine description as an XML plist and exit
  -q                print only the summary
`;

/** Reads a machine description plist (XML or binary). */
export function readMachineFile(path: string): OSValue {
  const bytes = readFileSync(path);
  return isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);
}

/** The summary lines `iokit boot` and `npm start` print. */
export function formatBootSummary(s: BootedSystem): string {
  const st = s.stats;
  const model = s.machine.description.model;
  return `${model}: ${st.devices} devices; ${st.kextsLoaded} of ${st.kextsAvailable} kexts loaded; ${st.driversMatched} drivers matched; ${st.services} registry entries\n`
    + `${st.quiet ? "quiescent" : "NOT quiescent"} after ${st.wallMs.toFixed(1)} ms (virtual time ${st.quiesceVirtualMs.toFixed(3)} ms)\n`;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, { short: "qh", long: [
      { name: "once", hasArg: "none" }, { name: "machine", hasArg: "required" }, { name: "extensions", hasArg: "required" },
      { name: "print-machine", hasArg: "none" }, { name: "help", hasArg: "none", id: "h" }, { name: "quiet", hasArg: "none", id: "q" },
    ], longOnly: false }, "boot");
  } catch (e) {
    io.stderr(`${e instanceof GetoptError ? e.message : String(e)}\n${USAGE}`);
    return 64;
  }
  if (parsed.operands.length > 0) { io.stderr(USAGE); return 64; }
  let once = false, quiet = false, machinePath: string | undefined;
  const extensions: string[] = [];
  for (const o of parsed.options) {
    if (o.id === "h") { io.stdout(USAGE); return 0; }
    if (o.id === "print-machine") { io.stdout(writeXMLPlist(defaultMachine())); return 0; }
    if (o.id === "once") once = true;
    if (o.id === "q") quiet = true;
    if (o.id === "machine") machinePath = resolve(io.cwd, o.value ?? "");
    if (o.id === "extensions") extensions.push(resolve(io.cwd, o.value ?? ""));
  }
  for (const p of [machinePath, ...(extensions.length > 0 ? extensions : [defaultExtensionsFolder()])]) {
    if (p !== undefined && !existsSync(p)) {
      io.stderr(`iokit boot: ${p}: No such file or directory${p.endsWith("extensions") ? " (run `npm run build` to build the bundled extensions)" : ""}\n`);
      return 66;
    }
  }
  let sys: BootedSystem;
  try {
    const machine = machinePath !== undefined ? readMachineFile(machinePath) : undefined;
    sys = await bootSystem({ ...(machine !== undefined ? { machine } : {}), ...(extensions.length > 0 ? { extensions } : {}) });
  } catch (e) {
    const where = machinePath !== undefined && !(e instanceof MachineDescriptionError) ? `${machinePath}: ` : "";
    io.stderr(`iokit boot: ${where}${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (!quiet) for (const l of sys.kernel.logRing.lines()) io.stdout(`[${(l.timeNs / 1e9).toFixed(6).padStart(12)}] ${l.text}\n`);
  io.stdout(formatBootSummary(sys));
  if (once) return 0;
  io.stdout("kernel running; press Ctrl-C to stop\n");
  const unsubscribe = sys.kernel.logRing.subscribe((l) => io.stdout(`[${(l.timeNs / 1e9).toFixed(6).padStart(12)}] ${l.text}\n`));
  await new Promise<void>((done) => {
    const timer = setInterval(() => void sys.kernel.scheduler.advance(100), 100);
    const stop = () => { clearInterval(timer); unsubscribe(); done(); };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
