/**
 * Where a value sits in its tree, kept as a parent chain while walking so that building the
 * dotted key path (plutil's notation: `IOKitPersonalities.Foo.0`) costs nothing until an error
 * needs it.
 */
export interface PathLink {
  readonly parent: PathLink | undefined;
  readonly key: string | number;
}

/** The dotted key path of a link, `""` for the root. */
export function keyPathOf(link: PathLink | undefined): string {
  const parts: string[] = [];
  for (let l = link; l !== undefined; l = l.parent) parts.push(String(l.key));
  return parts.reverse().join(".");
}
