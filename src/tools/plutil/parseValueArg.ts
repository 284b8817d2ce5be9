/**
 * The typed values `plutil -insert`/`-replace` take on the command line: `-bool YES`,
 * `-integer 5`, `-float 1.5`, `-string s`, `-date 2020-01-01T00:00:00Z`, `-data BASE64`,
 * `-xml '<dict>…</dict>'`, `-json '{…}'`, `-array`, `-dictionary`.
 */
import { decodeBase64, parseXMLPlist } from "../../formats/index.ts";
import { OSDate, OSNumber, OSReal, type OSValue } from "../../libkern/index.ts";

/** A command-line value that is not a value of its type. */
export class ValueArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ValueArgError";
  }
}

/** The value types plutil accepts, by flag name without the dash. */
export const VALUE_TYPES = ["bool", "integer", "float", "string", "date", "data", "xml", "json", "array", "dictionary"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Whether a type takes no value argument. */
export const takesNoValue = (t: ValueType): boolean => t === "array" || t === "dictionary";

function fromJSON(root: unknown): OSValue {
  // JSON.parse has already bounded the depth by the engine's own parser; convert iteratively anyway.
  const convert = (v: unknown): OSValue => {
    if (typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isInteger(v) ? new OSNumber(BigInt(v)) : new OSReal(v);
    if (Array.isArray(v)) return v.map(convert);
    if (v !== null && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, convert(x)]));
    throw new ValueArgError("JSON null has no property-list value");
  };
  return convert(root);
}

/**
 * Builds the value of a `-TYPE VALUE` pair.
 * @throws {ValueArgError} with a one-line message when the text is not a value of that type
 */
export function parseValueArg(type: ValueType, text: string | undefined): OSValue {
  const t = text ?? "";
  switch (type) {
    case "bool": {
      const b = t.toLowerCase();
      if (b === "yes" || b === "true") return true;
      if (b === "no" || b === "false") return false;
      throw new ValueArgError(`Invalid value for -bool: ${t} (use YES, NO, true or false)`);
    }
    case "integer":
      if (!/^[+-]?\d+$/.test(t)) throw new ValueArgError(`Invalid value for -integer: ${t}`);
      return new OSNumber(BigInt(t));
    case "float": {
      const f = Number(t);
      if (t.trim() === "" || Number.isNaN(f)) throw new ValueArgError(`Invalid value for -float: ${t}`);
      return new OSReal(f);
    }
    case "string":
      return t;
    case "date": {
      const ms = Date.parse(t);
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.test(t) || Number.isNaN(ms)) throw new ValueArgError(`Invalid value for -date: ${t} (use ISO 8601, e.g. 2020-01-01T00:00:00Z)`);
      return OSDate.fromDate(new Date(ms));
    }
    case "data": {
      const bytes = decodeBase64(t);
      if (bytes === undefined) throw new ValueArgError(`Invalid value for -data: not base64`);
      return bytes;
    }
    case "xml":
      return parseXMLPlist(t);
    case "json": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch (e) {
        throw new ValueArgError(`Invalid value for -json: ${(e as Error).message}`);
      }
      return fromJSON(parsed);
    }
    case "array":
      return [];
    case "dictionary":
      return new Map();
  }
}
