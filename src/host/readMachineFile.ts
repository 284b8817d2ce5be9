/**
 * Reads a machine description file (an XML or binary plist) into a value, with every failure
 * naming the file: `iokit boot --machine` and `iokit cycle sleep --machine` both take one, and a
 * user may pass several in a script. The description itself is checked by the boot code.
 */
import { readFileSync } from "node:fs";
import { isBinaryPlist, parseBinaryPlist, parseXMLPlist } from "../formats/index.ts";
import { systemErrorText } from "../ipc/index.ts";
import type { OSValue } from "../libkern/index.ts";

/** A machine file that cannot be read or is no plist; the message is `path: detail`. */
export class MachineFileError extends Error {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "MachineFileError";
    this.path = path;
    this.detail = detail;
  }
}

/** @throws MachineFileError */
export function readMachineFile(path: string): OSValue {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new MachineFileError(path, systemErrorText(e));
  }
  try {
    return isBinaryPlist(bytes) ? parseBinaryPlist(bytes) : parseXMLPlist(new TextDecoder().decode(bytes));
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new MachineFileError(path, `not a property list: ${e.message}`);
  }
}
