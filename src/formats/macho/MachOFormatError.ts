/**
 * The one error a Mach-O parser throws: the input is not a well-formed Mach-O (or fat) file.
 * `offset` is the byte offset in the buffer that was handed to the parser where the problem was
 * found, so a user can look at it with `xxd -s OFFSET`.
 */
export class MachOFormatError extends SyntaxError {
  /** Byte offset in the parsed buffer. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} (at offset ${offset})`);
    this.name = "MachOFormatError";
    this.offset = offset;
  }
}
