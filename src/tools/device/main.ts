/**
 * `iokit device attach KIND|--usb FILE [--port N]`, `iokit device detach PORT`, `iokit device list`:
 * plugs and unplugs virtual USB devices at run time through the client API
 * (`IOKitLib.attachUSBDevice`/`detachUSBDevice`/`usbPorts`). KIND is one of the presets (keyboard,
 * trackpad, mouse, cdc-acm, flash, camera); `--usb FILE` plugs a USB device node from a plist (the
 * format of docs/machine.md, checked the same way by the kernel).
 *
 * With `IOKIT_SOCKET` set it talks to that daemon (attach and detach over its privileged socket);
 * otherwise to a kernel embedded in this process, booted with the default machine, which is gone
 * when the command ends. Either way the plug is a port-change interrupt on the xHCI controller:
 * the controller driver enumerates or terminates the device and drivers match or stop; the command
 * prints the services that appeared or went away and, after a detach, the kexts left idle, which
 * the kernel autounloads 60 s after the registry goes quiet.
 * Exit codes: 0; 1 the kernel refused (bad description, port taken or empty); 64 usage;
 * 69 no daemon at IOKIT_SOCKET; 77 not privileged.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { IOReturnError, kIOReturnNotPrivileged } from "../../base/index.ts";
import { usbPreset, USB_PRESETS } from "../../drivers/index.ts";
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../../formats/index.ts";
import { connectIOKit } from "../../host/index.ts";
import type { DeviceService, IOKitLib } from "../../libiokit/index.ts";
import { isOSDictionary, type OSDictionary } from "../../libkern/index.ts";
import { GetoptError, getopt } from "../getopt.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "plug and unplug virtual USB devices (on the daemon at IOKIT_SOCKET, else an embedded kernel)";

const USAGE = `usage: iokit device attach [--port N] (${USB_PRESETS.join("|")} | --usb file.plist)
       iokit device detach PORT
       iokit device list
`;

const hex4 = (n: number): string => n.toString(16).padStart(4, "0");

function printServices(io: ToolIO, services: readonly DeviceService[], detached: boolean): void {
  for (const s of services) {
    const still = detached && s.active ? "  (still active!)" : "";
    io.stdout(`${"  ".repeat(s.depth + 1)}${s.name}${s.location !== undefined ? `@${s.location}` : ""}  <class ${s.className}>${still}\n`);
  }
}

/** The device node to plug, or an exit code after printing why not. */
function deviceNode(io: ToolIO, file: string | undefined, kind: string | undefined): OSDictionary | number {
  if (file !== undefined) {
    let node;
    try {
      const bytes = readFileSync(resolve(io.cwd, file));
      node = isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(bytes);
    } catch (e) {
      io.stderr(`iokit device: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    if (!isOSDictionary(node)) {
      io.stderr(`iokit device: ${file}: a USB device node is a dictionary\n`);
      return 1;
    }
    return node;
  }
  const preset = kind === undefined ? undefined : usbPreset(kind, 1);
  if (!isOSDictionary(preset)) {
    io.stderr(`iokit device: unknown device '${kind ?? ""}' (known: ${USB_PRESETS.join(", ")})\n${USAGE}`);
    return 64;
  }
  preset.delete("port");
  return preset;
}

async function run(lib: IOKitLib, io: ToolIO, verb: string, node: OSDictionary | undefined, port: number | undefined): Promise<number> {
  if (verb === "list") {
    const { portCount, devices } = await lib.usbPorts();
    for (let p = 1; p <= portCount; p++) {
      const d = devices.find((x) => x.port === p);
      io.stdout(`port ${p}: ${d ? `${d.product ?? "(unnamed)"} [${hex4(d.idVendor)}:${hex4(d.idProduct)}]` : "empty"}\n`);
    }
    return 0;
  }
  if (verb === "attach") {
    const r = await lib.attachUSBDevice(node as OSDictionary, port !== undefined ? { port } : {});
    io.stdout(`attached ${r.product ?? "device"} on port ${r.port}; matched:\n`);
    printServices(io, r.services, false);
    return 0;
  }
  const r = await lib.detachUSBDevice(port as number);
  io.stdout(`detached port ${r.port}; terminated:\n`);
  printServices(io, r.services, true);
  io.stdout(r.idleKexts.length > 0
    ? `idle kexts (autounload ${r.autounloadDelaySeconds} s after the registry goes quiet): ${r.idleKexts.join(", ")}\n`
    : "idle kexts: none\n");
  return 0;
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === "-h" || verb === "--help") { io.stdout(USAGE); return 0; }
  if (verb === undefined || !["attach", "detach", "list"].includes(verb)) { io.stderr(USAGE); return 64; }
  let parsed;
  try {
    parsed = getopt(rest, { long: [{ name: "usb", hasArg: "required" }, { name: "port", hasArg: "required" }], longOnly: false }, "device");
  } catch (e) {
    io.stderr(`${e instanceof GetoptError ? e.message : String(e)}\n${USAGE}`);
    return 64;
  }
  const opt = (id: string) => parsed.options.find((o) => o.id === id)?.value;
  const portText = verb === "detach" ? parsed.operands[0] : opt("port");
  const port = portText === undefined ? undefined : Number(portText);
  if ((verb === "detach" && port === undefined) || (port !== undefined && !Number.isInteger(port))) {
    io.stderr(`iokit device: ${portText === undefined ? "which port?" : `'${portText}' is not a port number`}\n${USAGE}`);
    return 64;
  }
  const operandsAllowed = verb === "list" ? 0 : verb === "detach" || opt("usb") === undefined ? 1 : 0;
  if (parsed.operands.length > operandsAllowed) {
    io.stderr(`iokit device: unexpected '${parsed.operands[operandsAllowed] ?? ""}' (options go before the device)\n${USAGE}`);
    return 64;
  }
  let node: OSDictionary | undefined;
  if (verb === "attach") {
    const n = deviceNode(io, opt("usb"), parsed.operands[0]);
    if (typeof n === "number") return n;
    node = n;
  }
  let conn;
  try {
    conn = await connectIOKit({ privileged: verb !== "list", env: io.env });
  } catch (e) {
    io.stderr(`iokit device: ${e instanceof Error ? e.message : String(e)}\n`);
    return 69;
  }
  try {
    return await run(conn.lib, io, verb, node, port);
  } catch (e) {
    if (!(e instanceof IOReturnError)) throw e;
    io.stderr(`iokit device: ${e.message}\n`);
    return e.code === kIOReturnNotPrivileged ? 77 : 1;
  } finally {
    conn.lib.close();
  }
}
