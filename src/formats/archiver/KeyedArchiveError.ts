/**
 * The error the keyed-archive readers raise: a `SyntaxError` naming the index in `$objects` of the
 * object that could not be decoded (-1 when the problem is in the archive's envelope).
 */
export class KeyedArchiveError extends SyntaxError {
  /** Index into `$objects` of the faulty object, or -1 for the envelope. */
  readonly objectIndex: number;

  constructor(message: string, objectIndex: number) {
    super(objectIndex >= 0 ? `${message} (object ${objectIndex} in $objects)` : message);
    this.name = "KeyedArchiveError";
    this.objectIndex = objectIndex;
  }
}
