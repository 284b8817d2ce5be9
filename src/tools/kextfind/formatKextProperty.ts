/**
 * kextfind's `printProperty`: `KEY = "string"`, `KEY = 42`, `KEY = true`, `KEY = <data (N bytes):
 * 0011 2233...>` (at most 36 bytes shown, a space every 4 bytes), `KEY = <dictionary of N items>`,
 * `KEY = <array of N items>`, prefixed by `<personality>: ` for match properties.
 */
import { kindOf, type OSValue } from "../../libkern/index.ts";

const MAX_DATA = 36;

export function formatKextProperty(label: string | undefined, key: string, value: OSValue, end: string): string {
  let text: string;
  switch (kindOf(value)) {
    case "string": text = `${key} = "${value as string}"`; break;
    case "integer": case "real": case "boolean": text = `${key} = ${String(value)}`; break;
    case "data": {
      const bytes = value as Uint8Array;
      let hex = "";
      const n = Math.min(bytes.length, MAX_DATA);
      for (let i = 0; i < n; i++) {
        if (i > 0 && i % 4 === 0) hex += " ";
        hex += (bytes[i] as number).toString(16).padStart(2, "0");
      }
      text = `${key} = <data (${bytes.length} bytes): ${hex}${bytes.length > MAX_DATA ? "..." : ""}>`;
      break;
    }
    case "dict": text = `${key} = <dictionary of ${(value as Map<string, OSValue>).size} items>`; break;
    case "array": text = `${key} = <array of ${(value as OSValue[]).length} items>`; break;
    default: text = `${key} = <value of unknown type>`;
  }
  return `${label !== undefined ? `${label}: ` : ""}${text}${end}`;
}
