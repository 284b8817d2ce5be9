/**
 * Parse errors of the property-list codecs. Both extend `SyntaxError` so callers can catch "bad
 * input" without knowing which codec read it, and both carry a position a user can act on: XML
 * errors a line and column (1-based), binary errors the byte offset of the faulty object or table.
 */

/** A malformed XML (or text) property list. `line` and `column` are 1-based. */
export class PlistSyntaxError extends SyntaxError {
  readonly line: number;
  readonly column: number;

  /** @param reason what is wrong, in Core Foundation's words where CF has some. */
  constructor(reason: string, line: number, column: number) {
    super(`${reason} at line ${line}, column ${column}`);
    this.name = "PlistSyntaxError";
    this.line = line;
    this.column = column;
  }
}

/** A malformed binary (`bplist00`) property list. `offset` is the byte offset of the problem. */
export class PlistFormatError extends SyntaxError {
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(`${reason} at byte offset ${offset}`);
    this.name = "PlistFormatError";
    this.offset = offset;
  }
}
