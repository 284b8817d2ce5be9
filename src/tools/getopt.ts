/**
 * Command-line parsing the way Apple's tools do it: BSD `getopt` (clustered short options, attached
 * or separate arguments, stop at the first operand or `--`) and `getopt_long_only` (long options with
 * one or two dashes, `-name value` or `--name=value`, unambiguous prefixes accepted).
 *
 * Errors are reported as Apple's libc prints them, through {@link GetoptError}; the tool decides the
 * usage text and exit code.
 */

export interface LongOption {
  /** The option's name without dashes, e.g. `print-diagnostics`. */
  readonly name: string;
  readonly hasArg: "none" | "required" | "optional";
  /** The value reported for this option; defaults to `name`. */
  readonly id?: string;
}

export interface GetoptSpec {
  /** POSIX optstring, e.g. `"abc:d:"`. */
  readonly short?: string;
  readonly long?: readonly LongOption[];
  /** Accept long options with a single dash (`getopt_long_only`). Default true when `long` is given. */
  readonly longOnly?: boolean;
  /** Keep scanning for options after operands (GNU permutation). Default false (BSD). */
  readonly permute?: boolean;
}

export interface ParsedOption {
  /** The short option letter or the long option's id. */
  readonly id: string;
  readonly value: string | undefined;
}

export interface GetoptResult {
  readonly options: ParsedOption[];
  readonly operands: string[];
}

export class GetoptError extends Error {
  /** The option as the user typed it. */
  readonly option: string;
  readonly kind: "unknown" | "missing-argument" | "ambiguous" | "unexpected-argument";

  constructor(kind: GetoptError["kind"], option: string, message: string) {
    super(message);
    this.name = "GetoptError";
    this.kind = kind;
    this.option = option;
  }
}

function parseShortSpec(spec: string): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i] as string;
    if (c === ":" || c === "+" || c === "-") continue;
    m.set(c, spec[i + 1] === ":");
  }
  return m;
}

/**
 * Parses `argv` (without the program name). `prog` is used in error messages, as libc does:
 * `prog: illegal option -- x`, `prog: option requires an argument -- x`.
 */
export function getopt(argv: readonly string[], spec: GetoptSpec, prog: string): GetoptResult {
  const shorts = parseShortSpec(spec.short ?? "");
  const longs = spec.long ?? [];
  const longOnly = spec.longOnly ?? longs.length > 0;
  const options: ParsedOption[] = [];
  const operands: string[] = [];

  const findLong = (name: string, typed: string): LongOption | undefined => {
    const exact = longs.find((o) => o.name === name);
    if (exact) return exact;
    const prefixed = longs.filter((o) => o.name.startsWith(name));
    if (prefixed.length > 1) {
      throw new GetoptError("ambiguous", typed, `${prog}: option \`${typed}' is ambiguous`);
    }
    return prefixed[0];
  };

  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (!spec.permute) {
        operands.push(...argv.slice(i));
        break;
      }
      operands.push(arg);
      i++;
      continue;
    }
    const dashes = arg.startsWith("--") ? 2 : 1;
    const body = arg.slice(dashes);
    const eq = body.indexOf("=");
    const lname = eq >= 0 ? body.slice(0, eq) : body;
    // Long option: `--name`, or `-name` under getopt_long_only when it is not a known short cluster.
    const tryLong = longs.length > 0 && (dashes === 2 || (longOnly && (lname.length > 1 || !shorts.has(lname))));
    if (tryLong) {
      let opt: LongOption | undefined;
      try {
        opt = findLong(lname, arg);
      } catch (e) {
        throw e;
      }
      if (opt === undefined && dashes === 1 && shorts.has(body[0] as string)) {
        // Fall through to short-option parsing, as getopt_long_only does.
      } else if (opt === undefined) {
        throw new GetoptError("unknown", arg, `${prog}: unrecognized option \`${arg}'`);
      } else {
        const id = opt.id ?? opt.name;
        if (opt.hasArg === "none") {
          if (eq >= 0) {
            throw new GetoptError("unexpected-argument", arg, `${prog}: option \`${"-".repeat(dashes)}${opt.name}' doesn't allow an argument`);
          }
          options.push({ id, value: undefined });
          i++;
        } else if (eq >= 0) {
          options.push({ id, value: body.slice(eq + 1) });
          i++;
        } else if (opt.hasArg === "required") {
          if (i + 1 >= argv.length) {
            throw new GetoptError("missing-argument", arg, `${prog}: option \`${arg}' requires an argument`);
          }
          options.push({ id, value: argv[i + 1] });
          i += 2;
        } else {
          options.push({ id, value: undefined });
          i++;
        }
        continue;
      }
    }
    // A cluster of short options.
    let j = 1;
    i++;
    while (j < arg.length) {
      const c = arg[j] as string;
      const takesArg = shorts.get(c);
      if (takesArg === undefined) {
        throw new GetoptError("unknown", `-${c}`, `${prog}: illegal option -- ${c}`);
      }
      if (!takesArg) {
        options.push({ id: c, value: undefined });
        j++;
        continue;
      }
      if (j + 1 < arg.length) {
        options.push({ id: c, value: arg.slice(j + 1) });
      } else if (i < argv.length) {
        options.push({ id: c, value: argv[i] });
        i++;
      } else {
        throw new GetoptError("missing-argument", `-${c}`, `${prog}: option requires an argument -- ${c}`);
      }
      break;
    }
  }
  return { options, operands };
}
