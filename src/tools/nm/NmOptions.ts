/** What nm was asked for: the output format, filters and sort order (see nmSymbols.ts). */
export type NmFormat = "bsd" | "posix" | "darwin" | "just-symbols";

export interface NmOptions {
  format: NmFormat;
  hex: boolean;
  debugSyms: boolean;
  externOnly: boolean;
  undefinedOnly: boolean;
  definedOnly: boolean;
  noWeak: boolean;
  noSort: boolean;
  numericSort: boolean;
  reverseSort: boolean;
  printFileName: boolean;
  demangle: ((name: string) => string | undefined) | undefined;
}
