/**
 * `iokit ioreturn CODE…`: names an IOReturn (or kOSKextReturn) code and says what it means.
 * Accepts hex (`0xe00002c2`), decimal, negative 32-bit values as printed by `%d`, or a constant name.
 */
import {
  decodeIOReturn, errnoFromReturn, formatIOReturn, ioReturnFromName, ioReturnName, stringFromReturn,
  IOKitSubsystem, allIOReturns,
} from "../../base/index.ts";
import type { ToolIO } from "../ToolIO.ts";

export const summary = "name and meaning of an IOReturn code (e.g. 0xe00002c2)";

const SUBSYSTEM_NAMES = new Map<number, string>(Object.entries(IOKitSubsystem).map(([k, v]) => [v, k]));

function parseCode(text: string): number | undefined {
  const t = text.trim();
  if (/^-?0x[0-9a-f]+$/i.test(t) || /^-?\d+$/.test(t)) {
    const v = Number(BigInt(t.replace(/^(-?)0x/i, "$10x").replace(/^-0x/i, "-0x")));
    if (!Number.isFinite(v) || v < -0x80000000 || v > 0xffffffff) return undefined;
    return v >>> 0;
  }
  return ioReturnFromName(t);
}

export async function main(argv: string[], io: ToolIO): Promise<number> {
  const usage = "usage: iokit ioreturn <code|name> ...\n";
  if (argv.length === 0) {
    io.stderr(usage);
    return 64;
  }
  // Codes may be negative decimals, so only these exact words ask for help.
  if (argv.length === 1 && ["-h", "-help", "--help"].includes(argv[0] as string)) {
    io.stdout(usage);
    return 0;
  }
  let status = 0;
  for (const arg of argv) {
    const code = parseCode(arg.startsWith("-0x") ? arg : arg);
    if (code === undefined) {
      io.stderr(`ioreturn: '${arg}' is not an IOReturn code or name\n`);
      status = 1;
      continue;
    }
    const name = ioReturnName(code);
    const { system, sub, code: low } = decodeIOReturn(code);
    if (name !== undefined) {
      // stringFromReturn has no text for the kOSKextReturn* codes and a few IOReturns; say so plainly.
      const text = allIOReturns().find((e) => e.value === code)?.message ?? `no kernel text; stringFromReturn prints "${stringFromReturn(code)}"`;
      io.stdout(`${formatIOReturn(code)} ${name}: ${text} (errno ${errnoFromReturn(code)})\n`);
    } else if (system === 0x38) {
      const family = SUBSYSTEM_NAMES.get(sub) ?? `subsystem ${sub}`;
      io.stdout(`${formatIOReturn(code)} (unnamed): I/O Kit ${family} code 0x${low.toString(16)}\n`);
    } else {
      io.stdout(`${formatIOReturn(code)} (unnamed): system 0x${system.toString(16)} subsystem 0x${sub.toString(16)} code 0x${low.toString(16)}\n`);
    }
  }
  return status;
}
