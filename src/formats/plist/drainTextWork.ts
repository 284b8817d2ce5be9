/**
 * The loop shared by the text writers (XML, JSON, plutil's printer): an explicit work stack of
 * items to visit, literal text to emit, and exit markers that close a container on the path. The
 * `open` set holds the containers on the current path, which is how a writer spots a cycle.
 */

/** An exit marker: the container's subtree is done. */
export interface ExitMark {
  readonly exit: object;
}

/** Pops work until none is left: strings go to `out`, exit marks leave `open`, items go to `visit`. */
export function drainTextWork<T extends object>(work: (T | string | ExitMark)[], out: string[], open: Set<object>, visit: (item: T) => void): void {
  while (work.length > 0) {
    const w = work.pop() as T | string | ExitMark;
    if (typeof w === "string") out.push(w);
    else if ("exit" in w) open.delete(w.exit);
    else visit(w);
  }
}
