/**
 * What a kext's executable is, judged from its first bytes and its name.
 *
 * Two kinds are loadable in iokit-ts:
 *
 * - **Mach-O** — a real kext binary (thin or universal). Here it is recognised by its magic number
 *   only, and its architectures are read from the header; linking is the Mach-O layer's business.
 * - **JavaScript module** — our emulation's driver code. The convention: `CFBundleExecutable` names
 *   a file in `Contents/MacOS/` ending in `.js` or `.mjs` (e.g. `<string>MyDriver.mjs</string>`),
 *   an ES module whose named exports are the driver classes its personalities' `IOClass` values
 *   name. Such an executable is architecture-neutral.
 *
 * Anything else is "not kernel extension code" in Apple's words.
 */

/** The architectures a Mach-O header names, by Apple's arch names. */
const CPU_TYPES: ReadonlyMap<number, string> = new Map([
  [7, "i386"],
  [0x01000007, "x86_64"],
  [12, "arm"],
  [0x0100000c, "arm64"],
  [0x0200000c, "arm64_32"],
  [18, "ppc"],
  [0x01000012, "ppc64"],
]);

/** The executable's kind and, for Mach-O, the architectures it contains. */
export interface KextExecutableKind {
  readonly kind: "macho" | "javascript" | "unrecognized";
  /** Architecture names (`x86_64`, `arm64`…); empty for JavaScript and unrecognised files. */
  readonly archs: readonly string[];
}

/** True when the executable's name marks it as a JavaScript module. */
export function isJavaScriptExecutableName(name: string): boolean {
  return /\.(m?js)$/.test(name);
}

/** How many leading bytes {@link classifyKextExecutable} needs to see all fat headers it reads. */
export const EXECUTABLE_HEADER_BYTES = 4096;

/**
 * Classifies an executable from its name and first bytes (at least the Mach-O or fat header; up to
 * {@link EXECUTABLE_HEADER_BYTES} to list every slice of a universal binary).
 */
export function classifyKextExecutable(name: string, head: Uint8Array): KextExecutableKind {
  if (isJavaScriptExecutableName(name)) return { kind: "javascript", archs: [] };
  if (head.length < 8) return { kind: "unrecognized", archs: [] };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const be = view.getUint32(0, false);
  const archName = (cpu: number): string => CPU_TYPES.get(cpu) ?? `cputype ${cpu}`;
  switch (be) {
    case 0xfeedface: case 0xfeedfacf:
      return { kind: "macho", archs: [archName(view.getInt32(4, false))] };
    case 0xcefaedfe: case 0xcffaedfe:
      return { kind: "macho", archs: [archName(view.getInt32(4, true))] };
    case 0xcafebabe: case 0xcafebabf: {
      const n = view.getUint32(4, false);
      const size = be === 0xcafebabe ? 20 : 32;
      // Java class files share 0xcafebabe; their "count" (a version number) is large.
      if (n === 0 || n > 64) return { kind: "unrecognized", archs: [] };
      const archs: string[] = [];
      for (let i = 0; i < n && 8 + i * size + 4 <= head.length; i++) {
        archs.push(archName(view.getInt32(8 + i * size, false)));
      }
      return { kind: "macho", archs };
    }
    default:
      return { kind: "unrecognized", archs: [] };
  }
}
