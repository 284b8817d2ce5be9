/**
 * The error every OpenStep / `.strings` parse failure raises: a `SyntaxError` that names where the
 * input went wrong as a 1-based line and column (columns count UTF-16 code units, as CF's parser
 * walks UniChars), plus the code-unit offset.
 */
export class OpenStepSyntaxError extends SyntaxError {
  /** 1-based line; CR, LF and CRLF each end a line, as in CoreFoundation's line counter. */
  readonly line: number;
  /** 1-based column in UTF-16 code units. */
  readonly column: number;
  /** 0-based offset in UTF-16 code units into the decoded text. */
  readonly offset: number;

  constructor(message: string, text: string, offset: number) {
    const { line, column } = lineColumn(text, offset);
    super(`${message} at line ${line}:${column}`);
    this.name = "OpenStepSyntaxError";
    this.line = line;
    this.column = column;
    this.offset = offset;
  }
}

/** Computes the 1-based line and column of `offset` in `text`, counting CR, LF and CRLF as one break. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a && i + 1 < end) i++;
      line++;
      lineStart = i + 1;
    } else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
