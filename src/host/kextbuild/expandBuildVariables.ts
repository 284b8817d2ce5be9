/**
 * Xcode-style build settings for kext projects: a `.xcconfig`-like project file (`NAME = value`
 * lines, `//` comments, `$(OTHER)` references) and `$(NAME)` / `${NAME}` expansion in the
 * Info.plist template, with Xcode's `:rfc1034identifier` and `:identifier` modifiers. An unknown
 * variable is an error naming the file and line — a kext must not ship `$(PRODUCT_BUNDLE_IDENTIFIER)`.
 */

/** A build-settings problem: names the file and line. */
export class BuildSettingsError extends Error {
  constructor(file: string, line: number, detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = "BuildSettingsError";
  }
}

/** Parses `NAME = value` lines (later lines win; values may reference earlier settings). */
export function parseXcconfig(text: string, file: string, base: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const out = new Map(base);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s*\/\/.*$/, "").trim();
    if (line === "") return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new BuildSettingsError(file, i + 1, `expected NAME = value, got '${line.slice(0, 60)}'`);
    out.set(m[1] as string, expandBuildVariables(m[2] as string, out, file, i + 1));
  });
  return out;
}

const MODIFIERS: Record<string, (v: string) => string> = {
  rfc1034identifier: (v) => v.replace(/[^A-Za-z0-9.-]/g, "-"),
  identifier: (v) => v.replace(/[^A-Za-z0-9_]/g, "_"),
  lower: (v) => v.toLowerCase(),
  upper: (v) => v.toUpperCase(),
};

/** Expands `$(NAME)`, `${NAME}` and `$(NAME:modifier)` in `text`; `$$` is a literal `$`. */
export function expandBuildVariables(text: string, settings: ReadonlyMap<string, string>, file: string, firstLine = 1): string {
  let line = firstLine;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\n") line++;
    if (c !== "$") { out += c; continue; }
    if (text[i + 1] === "$") { out += "$"; i++; continue; }
    const open = text[i + 1];
    const close = open === "(" ? ")" : open === "{" ? "}" : undefined;
    if (close === undefined) { out += c; continue; }
    const end = text.indexOf(close, i + 2);
    if (end < 0) throw new BuildSettingsError(file, line, "unterminated build variable");
    const [name, mod] = text.slice(i + 2, end).split(":", 2) as [string, string | undefined];
    const value = settings.get(name);
    if (value === undefined) throw new BuildSettingsError(file, line, `unknown build variable $(${name})`);
    const f = mod === undefined ? (v: string) => v : MODIFIERS[mod];
    if (f === undefined) throw new BuildSettingsError(file, line, `unknown modifier :${mod} in $(${name}:${mod})`);
    out += f(value);
    i = end;
  }
  return out;
}
