/**
 * A simulated kernel panic's log in the classic text layout of macOS `.panic` files: the
 * `panic(cpu N caller 0x…): "…"@file:line` line, a backtrace header, the kexts in the backtrace,
 * the process name, and the version block. Addresses are synthesised deterministically from the
 * message, since there is no machine code to point into.
 */

/** What goes into a panic log. */
export interface PanicInfo {
  /** The panic string, e.g. `AppleFoo::setPowerState(0x… : 0x…, 1 -> 0) timed out after 10100 ms`. */
  readonly message: string;
  /** The xnu source location the panic is reported from. */
  readonly file: string;
  readonly line: number;
  /** Bundle identifier and version of the kext to blame, if any. */
  readonly kext?: { readonly id: string; readonly version: string };
  readonly osBuild?: string;
  readonly kernelVersion?: string;
  readonly model?: string;
}

const hex16 = (n: bigint): string => `0x${n.toString(16).padStart(16, "0")}`;

/** FNV-1a over the message: a stable pseudo-address. */
function fakeAddress(s: string, salt: number): bigint {
  let h = 0xcbf29ce484222325n ^ BigInt(salt);
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffn;
  }
  return 0xffffff8000000000n | (h & 0x7fffffffffn);
}

/** Formats a panic log. */
export function formatPanicLog(p: PanicInfo): string {
  const caller = fakeAddress(p.message, 0);
  const lines = [`panic(cpu 0 caller ${hex16(caller)}): "${p.message}"@${p.file}:${p.line}`, "Backtrace (CPU 0), Frame : Return Address"];
  for (let i = 0; i < 4; i++) lines.push(`${hex16(fakeAddress(p.message, 100 + i))} : ${hex16(fakeAddress(p.message, 200 + i))} `);
  if (p.kext) {
    const base = fakeAddress(p.kext.id, 7) & ~0xfffn;
    lines.push("      Kernel Extensions in backtrace:");
    lines.push(`         ${p.kext.id}(${p.kext.version})[00000000-0000-0000-0000-000000000000]@${hex16(base)}->${hex16(base + 0xffffn)}`);
  }
  lines.push("", "BSD process name corresponding to current thread: kernel_task", "", "Mac OS version:", p.osBuild ?? "Not yet set", "");
  lines.push("Kernel version:", p.kernelVersion ?? "Darwin Kernel Version 24.0.0: iokit-ts; root:xnu-11417.101.15~1/RELEASE_X86_64");
  if (p.model) lines.push(`System model name: ${p.model}`);
  return `${lines.join("\n")}\n`;
}
