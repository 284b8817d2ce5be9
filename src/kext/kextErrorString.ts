/**
 * `mach_error_string` for the codes kext loading returns, as kext tools print them after
 * `Failed to load <path> - `: `(libkern/kext) …` for kOSKextReturn* codes, `(iokit/common) …` for
 * I/O Kit's common codes. The libkern texts are those of the libkern error table that user space
 * links (`err_libkern.sub`), written out from their documented meanings.
 */
import { decodeIOReturn, ioReturnName, stringFromReturn, type IOReturn } from "../base/index.ts";

const LIBKERN_KEXT: Readonly<Record<number, string>> = {
  0x1: "internal error", 0x2: "allocation failure", 0x3: "resource shortage", 0x4: "not privileged",
  0x5: "invalid argument", 0x6: "not found", 0x7: "bad data", 0x8: "serialization failure", 0x9: "unsupported",
  0xa: "disabled", 0xb: "not a kext", 0xc: "validation failure", 0xd: "authentication failure",
  0xe: "dependency resolution failure", 0xf: "requested architecture/executable not found", 0x10: "cache error",
  0x11: "operation deferred", 0x12: "excluded from boot/safe boot", 0x13: "not loadable (reason unspecified)",
  0x14: "different version/uuid already loaded", 0x15: "dependency load failed", 0x16: "link error",
  0x17: "kext (kmod) start/stop routine failed", 0x18: "kext is in use or retained (cannot unload)",
  0x19: "kext request timed out", 0x1a: "kext is in the process of stopping", 0x1b: "system policy prevents loading",
};

/** The text kext tools print for a load/unload result. */
export function kextErrorString(code: IOReturn): string {
  const { system, sub, code: low } = decodeIOReturn(code);
  if (system === 0x37 && sub === 2 && LIBKERN_KEXT[low] !== undefined) return `(libkern/kext) ${LIBKERN_KEXT[low]}`;
  if (system === 0x38 && sub === 0 && ioReturnName(code) !== undefined) return `(iokit/common) ${stringFromReturn(code)}`;
  return `unknown error code 0x${(code >>> 0).toString(16)}`;
}
