/**
 * The error the kernel-XML and legacy-text readers raise: a `SyntaxError` naming the byte offset and
 * the 1-based line and column (columns count bytes, lines count `\n` only, as the kernel's lexers do).
 */
export class IOKitXMLSyntaxError extends SyntaxError {
  /** 0-based byte offset into the UTF-8 input where the problem was found. */
  readonly offset: number;
  /** 1-based line (only `\n` ends a line, as in OSUnserializeXML). */
  readonly line: number;
  /** 1-based column, in bytes. */
  readonly column: number;

  constructor(message: string, input: Uint8Array, offset: number) {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(offset, input.length);
    for (let i = 0; i < end; i++) {
      if (input[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = offset - lineStart + 1;
    super(`${message} at line ${line}:${column}`);
    this.name = "IOKitXMLSyntaxError";
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}
