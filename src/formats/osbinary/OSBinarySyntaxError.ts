/** The error {@link unserializeBinary} raises: a `SyntaxError` naming the byte offset of the bad entry. */
export class OSBinarySyntaxError extends SyntaxError {
  /** Byte offset of the entry (or header) that could not be read. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at byte offset ${offset}`);
    this.name = "OSBinarySyntaxError";
    this.offset = offset;
  }
}
