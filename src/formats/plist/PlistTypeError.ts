/**
 * A value a format cannot hold (a set in XML, data in JSON, a cycle anywhere). Writers throw it;
 * plutil reports it as Apple's "invalid object in plist for destination format".
 */
export class PlistTypeError extends TypeError {
  /** The key path of the offending value, `""` for the root. */
  readonly keyPath: string;

  constructor(reason: string, keyPath: string) {
    super(keyPath === "" ? reason : `${reason} (at key path ${keyPath})`);
    this.name = "PlistTypeError";
    this.keyPath = keyPath;
  }
}
