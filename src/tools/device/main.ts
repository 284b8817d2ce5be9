/**
 * `iokit device attach KIND|--usb FILE [--port N]`, `iokit device detach PORT`, `iokit device list`:
 * plugs and unplugs virtual USB devices at run time. KIND is one of the presets (keyboard,
 * trackpad, mouse, cdc-acm, flash, camera); `--usb FILE` plugs a USB device node from a plist (the
 * format of docs/machine.md, checked the same way).
 *
 * Against a daemon (`IOKIT_SOCKET` set) this needs the daemon's device IPC, which this build does
 * not have: the command says so and exits 69. Without it, it runs an embedded demo: boots the
 * default machine, performs the plug or unplug on the xHCI controller's port (a port-change
 * interrupt: the controller driver enumerates or terminates the device, drivers match or stop),
 * prints the services that appeared or went away, and — after a detach — lets 60 s of virtual time
 * pass so idle kexts autounload, printing which did.
 * Exit codes: 0, 1 (bad description, port taken or empty), 64 usage, 69 daemon unavailable.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MachineDescriptionError, parseUSBDeviceDescription, usbPreset, USB_PRESETS, type USBDeviceDescription } from "../../drivers/index.ts";
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../../formats/index.ts";
import { bootSystem, settle, type BootedSystem } from "../../host/index.ts";
import { IOService, type IORegistryEntry } from "../../kernel/index.ts";
import { isOSDictionary, OSNumber } from "../../libkern/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "plug and unplug virtual USB devices (embedded demo without a daemon)";

const USAGE = `usage: iokit device attach (${USB_PRESETS.join("|")} | --usb file.plist) [--port N]
       iokit device detach PORT
       iokit device list
`;

/** Services in the IOService plane below `entry`, depth-first, with their depth. */
function subtree(entry: IORegistryEntry): Array<[IORegistryEntry, number]> {
  const out: Array<[IORegistryEntry, number]> = [];
  const stack: Array<[IORegistryEntry, number]> = [[entry, 0]];
  while (stack.length > 0 && out.length < 10_000) {
    const [e, d] = stack.pop() as [IORegistryEntry, number];
    out.push([e, d]);
    const kids = e.getChildEntries("IOService");
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i] as IORegistryEntry, d + 1]);
  }
  return out;
}

const label = (e: IORegistryEntry): string => {
  const loc = e.getLocation();
  return `${e.getName()}${loc !== undefined ? `@${loc}` : ""}  <class ${e.className}>`;
};

function freePort(sys: BootedSystem): number | undefined {
  const ports = sys.machine.usb?.ports ?? [];
  for (let p = 1; p < ports.length; p++) if (ports[p] === undefined) return p;
  return undefined;
}

function deviceOnPort(sys: BootedSystem, port: number): IORegistryEntry | undefined {
  return sys.kernel.registry.findByClass("IOUSBHostDevice").find((d) => {
    const loc = d.getProperty("locationID");
    return loc instanceof OSNumber && Number((loc.value >> 20n) & 0xfn) === port && !(d as IOService).isInactive();
  });
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || !["attach", "detach", "list"].includes(verb)) { io.stderr(USAGE); return 64; }
  let parsed;
  try {
    parsed = getopt(rest, { long: [{ name: "usb", hasArg: "required" }, { name: "port", hasArg: "required" }], longOnly: false }, "device");
  } catch (e) {
    io.stderr(`${e instanceof GetoptError ? e.message : String(e)}\n${USAGE}`);
    return 64;
  }
  if (io.env.IOKIT_SOCKET !== undefined && io.env.IOKIT_SOCKET !== "") {
    io.stderr("iokit device: the daemon at IOKIT_SOCKET has no device hot-plug service in this build; unset IOKIT_SOCKET for the embedded demo\n");
    return 69;
  }
  const opt = (id: string) => parsed.options.find((o) => o.id === id)?.value;
  const sys = await bootSystem();
  const hc = sys.machine.usb;
  if (hc === undefined) { io.stderr("iokit device: the machine has no USB controller\n"); return 1; }
  if (verb === "list") {
    hc.ports.forEach((d, p) => { if (p > 0) io.stdout(`port ${p}: ${d ? `${d.desc.product ?? "(unnamed)"} [${d.desc.idVendor.toString(16).padStart(4, "0")}:${d.desc.idProduct.toString(16).padStart(4, "0")}]` : "empty"}\n`); });
    return 0;
  }
  if (verb === "attach") {
    const portArg = opt("port");
    const port = portArg !== undefined ? Number(portArg) : freePort(sys);
    if (port === undefined || !Number.isInteger(port) || port < 1 || port >= hc.ports.length) { io.stderr(`iokit device: no such port ${portArg ?? ""}\n`); return 1; }
    let desc: USBDeviceDescription;
    try {
      const file = opt("usb");
      let node;
      if (file !== undefined) {
        const bytes = readFileSync(resolve(io.cwd, file));
        node = isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);
        if (isOSDictionary(node) && !node.has("port")) node.set("port", new OSNumber(BigInt(port), 64));
      } else {
        const kind = parsed.operands[0];
        node = kind === undefined ? undefined : usbPreset(kind, port);
        if (node === undefined) { io.stderr(`iokit device: unknown device '${kind ?? ""}' (known: ${USB_PRESETS.join(", ")})\n${USAGE}`); return 64; }
      }
      desc = parseUSBDeviceDescription(node, file ?? "usb");
    } catch (e) {
      io.stderr(`iokit device: ${e instanceof MachineDescriptionError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    if (hc.plug(desc) === undefined) { io.stderr(`iokit device: port ${desc.port} is already taken\n`); return 1; }
    await settle(sys.kernel, sys.kernel.waitQuiet(sys.kernel.platform, 30_000), () => sys.runtime.loadsInFlight > 0);
    const dev = deviceOnPort(sys, desc.port);
    if (dev === undefined) { io.stderr(`iokit device: port ${desc.port}: the device did not enumerate\n`); return 1; }
    io.stdout(`attached ${desc.product ?? "device"} on port ${desc.port}; matched:\n`);
    for (const [e, d] of subtree(dev)) io.stdout(`${"  ".repeat(d + 1)}${label(e)}\n`);
    return 0;
  }
  const port = Number(parsed.operands[0]);
  const dev = Number.isInteger(port) ? deviceOnPort(sys, port) : undefined;
  if (dev === undefined) { io.stderr(`iokit device: nothing on port ${parsed.operands[0] ?? ""}\n`); return 1; }
  const gone = subtree(dev);
  hc.unplug(port);
  await settle(sys.kernel, sys.kernel.waitQuiet(sys.kernel.platform, 30_000), () => sys.runtime.loadsInFlight > 0);
  io.stdout(`detached port ${port}; terminated:\n`);
  for (const [e, d] of gone) io.stdout(`${"  ".repeat(d + 1)}${label(e)}${(e as IOService).isInactive() ? "" : "  (still active!)"}\n`);
  const unloaded = await sys.runtime.considerUnloads();
  io.stdout(unloaded.length > 0 ? `autounload: ${unloaded.join(", ")}\n` : "autounload: no idle kexts\n");
  return 0;
}
