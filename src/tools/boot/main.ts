/**
 * `iokit boot`: the kernel as a service. Boots a kernel in real time, loads kexts from an extensions
 * folder on demand as matching needs them, and serves IOKitLib clients on a Unix domain socket
 * (plus an owner-only `.priv` socket for privileged tasks) until SIGTERM or SIGINT, which close the
 * connections and remove the sockets. `--once` boots, waits for quiescence, prints the boot summary
 * and exits.
 */
import { existsSync } from "node:fs";
import { countDevices, defaultMachine } from "../../drivers/index.ts";
import { writeXMLPlist } from "../../formats/index.ts";
import { IOService } from "../../kernel/index.ts";
import { IOKitDaemon, bootKernel, defaultSocketPath } from "../../host/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "run the kernel as a daemon serving IOKitLib clients on a Unix socket";

const USAGE = `usage: iokit boot [--extensions DIR] [--machine FILE] [--socket PATH] [--socket-mode MODE] [--log-capacity N] [--once]
  --extensions DIR  kexts to match and load on demand (default: the project's bundled kexts)
  --machine FILE    machine description plist: Model, Properties of the platform expert
  --socket PATH     socket path (default: $IOKIT_SOCKET, $XDG_RUNTIME_DIR/iokit.sock, /tmp/iokit-UID.sock);
                    PATH.priv is the owner-only privileged socket (kext load/unload, root user clients)
  --socket-mode MODE  octal file mode of the ordinary socket (default 600: the owner only)
  --once            boot, wait for quiescence, print the boot summary and the kernel log, and exit
  --print-machine   print the default machine description (VirtualMac1,1) as an XML plist and exit
Without --machine the kernel boots the virtual Mac VirtualMac1,1 (docs/machine.md).
`;

export async function main(argv: string[], io: ToolIO): Promise<number> {
  let parsed;
  try {
    parsed = getopt(argv, { long: [
      { name: "extensions", hasArg: "required" }, { name: "machine", hasArg: "required" }, { name: "socket", hasArg: "required" },
      { name: "socket-mode", hasArg: "required" }, { name: "log-capacity", hasArg: "required" }, { name: "once", hasArg: "none" },
      { name: "help", hasArg: "none" }, { name: "print-machine", hasArg: "none" },
    ] }, "iokit boot");
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    io.stderr(`${e.message}\n${USAGE}`);
    return 64;
  }
  const opt = new Map(parsed.options.map((o) => [o.id, o.value ?? ""]));
  if (opt.has("help")) {
    io.stdout(USAGE);
    return 0;
  }
  if (opt.has("print-machine")) {
    io.stdout(writeXMLPlist(defaultMachine()));
    return 0;
  }
  if (parsed.operands.length > 0) {
    io.stderr(USAGE);
    return 64;
  }
  const extensions = opt.get("extensions");
  if (extensions !== undefined && !existsSync(extensions)) {
    io.stderr(`iokit boot: ${extensions}: no such extensions folder\n`);
    return 1;
  }
  const capacity = opt.has("log-capacity") ? Number(opt.get("log-capacity")) : undefined;
  if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
    io.stderr(`iokit boot: --log-capacity: not a positive integer\n`);
    return 64;
  }
  const t0 = performance.now();
  let booted;
  try {
    booted = await bootKernel({
    realTime: true, ...(extensions !== undefined ? { extensions } : {}), ...(opt.has("machine") ? { machine: opt.get("machine") as string } : {}),
    ...(capacity !== undefined ? { logCapacity: capacity } : {}),
    });
  } catch (e) {
    // A bad machine description names the device and key; nothing has booted.
    io.stderr(`iokit boot: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const { kernel, runtime } = booted;
  if (opt.has("once")) {
    const r = await kernel.platform.waitQuiet(30_000);
    const ms = performance.now() - t0;
    const kexts = runtime.loadedKexts().filter((k) => k.tag !== 0 && !k.isKernelComponent);
    const drivers = kernel.registry.findByClass("IOService", { conforms: true })
      .filter((e): e is IOService => e instanceof IOService && e.getKmodName() !== "" && !e.isInactive() && e.getProperty("IOProviderClass") !== undefined);
    io.stdout(`${kexts.length} kext${kexts.length === 1 ? "" : "s"} loaded, ${drivers.length} driver${drivers.length === 1 ? "" : "s"} matched, quiescent after ${ms.toFixed(1)} ms${r === 0 ? "" : " (timed out)"}\n`);
    for (const k of kexts) io.stdout(`  kext ${k.bundleID}\n`);
    for (const d of drivers) io.stdout(`  driver ${d.className} (${d.getKmodName()}) on ${d.getProvider()?.getName() ?? "?"}\n`);
    if (booted.machine !== undefined) {
      const m = booted.machine.description;
      io.stdout(`machine ${m.model}: ${countDevices(m)} devices, ${kernel.registry.entryCount} registry entries\n`);
    }
    io.stdout("boot log:\n");
    for (const l of kernel.logRing.lines()) io.stdout(`  [${(l.timeNs / 1e9).toFixed(6).padStart(12)}] ${l.text}\n`);
    kernel.scheduler.stop();
    return r === 0 ? 0 : 1;
  }
  const socketPath = opt.get("socket") ?? defaultSocketPath(io.env);
  const mode = opt.has("socket-mode") ? parseInt(opt.get("socket-mode") as string, 8) : 0o600;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    io.stderr(`iokit boot: --socket-mode: not an octal file mode\n`);
    return 64;
  }
  const daemon = await IOKitDaemon.start(booted.server, { socketPath, socketMode: mode });
  io.stderr(`iokit boot: serving on ${socketPath} (privileged: ${socketPath}.priv), ${booted.kextCount} kexts available\n`);
  // The boot log and summary once the registry is quiet (serving has already begun).
  void kernel.platform.waitQuiet(30_000).then((r) => {
    const kexts = runtime.loadedKexts().filter((k) => k.tag !== 0 && !k.isKernelComponent).length;
    const drivers = kernel.registry.findByClass("IOService", { conforms: true })
      .filter((e) => e instanceof IOService && !e.isInactive() && e.getProperty("IOProviderClass") !== undefined).length;
    for (const l of kernel.logRing.lines()) io.stdout(`[${(l.timeNs / 1e9).toFixed(6).padStart(12)}] ${l.text}\n`);
    const m = booted.machine?.description;
    io.stdout(`${m !== undefined ? `${m.model}: ${countDevices(m)} devices; ` : ""}${kexts} kexts loaded, ${drivers} drivers matched, ${r === 0 ? "quiescent" : "not quiescent"} after ${(performance.now() - t0).toFixed(1)} ms\n`);
  });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve();
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  await daemon.close();
  kernel.scheduler.stop();
  io.stderr("iokit boot: stopped\n");
  return 0;
}
