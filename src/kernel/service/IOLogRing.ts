/**
 * The kernel log: a bounded ring of `IOLog` lines with their virtual time, like the kernel's message
 * buffer. When full, the oldest line is dropped, so a misbehaving driver that logs in a loop costs
 * bounded memory. `dmesg`-style readers take `lines()`.
 */

/** One logged line. */
export interface IOLogLine {
  /** Virtual time in nanoseconds. */
  readonly timeNs: number;
  readonly text: string;
}

/** A bounded ring of log lines. */
export class IOLogRing {
  readonly capacity: number;
  #ring: IOLogLine[] = [];
  #start = 0;
  #dropped = 0;
  #listeners = new Set<(line: IOLogLine) => void>();

  constructor(capacity = 4096) {
    this.capacity = Math.max(1, capacity);
  }

  /** Appends a line (trailing newline trimmed). */
  log(timeNs: number, text: string): void {
    const line: IOLogLine = { timeNs, text: text.replace(/\n$/, "") };
    if (this.#ring.length < this.capacity) this.#ring.push(line);
    else {
      this.#ring[this.#start] = line;
      this.#start = (this.#start + 1) % this.capacity;
      this.#dropped++;
    }
    for (const l of this.#listeners) l(line);
  }

  /** The retained lines, oldest first. */
  lines(): IOLogLine[] {
    return [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)];
  }

  /** The retained texts, oldest first. */
  texts(): string[] {
    return this.lines().map((l) => l.text);
  }

  /** Lines dropped because the ring was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Calls `fn` for every new line; returns an unsubscribe function. */
  subscribe(fn: (line: IOLogLine) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  clear(): void {
    this.#ring = [];
    this.#start = 0;
  }
}
