/**
 * The world a tool sees: its output streams, standard input, environment and working directory.
 * Every tool is `main(argv, io): Promise<number>`, so tests drive tools in-process with
 * {@link captureIO} and the CLI drives them with {@link processIO}.
 */
import { writeSync } from "node:fs";

export interface ToolIO {
  /** Writes to standard output. */
  stdout(text: string | Uint8Array): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<Uint8Array>;
  /** Whether standard output is a terminal. */
  readonly isTTY: boolean;
  /** The terminal's width when standard output is a terminal. */
  readonly columns: number | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A ToolIO for the real process: writes go straight to file descriptors 1 and 2. */
export function processIO(): ToolIO {
  const write = (fd: number, text: string | Uint8Array): void => {
    const buf = typeof text === "string" ? Buffer.from(text, "utf8") : text;
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(fd, buf, off, buf.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") continue;
        if (code === "EPIPE") process.exit(0);
        throw e;
      }
    }
  };
  return {
    stdout: (t) => write(1, t),
    stderr: (t) => write(2, t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    },
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** A ToolIO that records output, for tests. */
export interface CapturedIO extends ToolIO {
  /** Everything written to standard output, decoded as UTF-8. */
  out(): string;
  /** Everything written to standard output, as bytes. */
  outBytes(): Uint8Array;
  /** Everything written to standard error. */
  err(): string;
}

export function captureIO(options: {
  stdin?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  cwd?: string;
  isTTY?: boolean;
  columns?: number;
} = {}): CapturedIO {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  const enc = new TextEncoder();
  const stdin = typeof options.stdin === "string" ? enc.encode(options.stdin) : (options.stdin ?? new Uint8Array());
  return {
    stdout: (t) => out.push(typeof t === "string" ? enc.encode(t) : t),
    stderr: (t) => err.push(t),
    readStdin: async () => stdin,
    isTTY: options.isTTY ?? false,
    columns: options.columns,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => Buffer.concat(out).toString("utf8"),
    outBytes: () => new Uint8Array(Buffer.concat(out)),
    err: () => err.join(""),
  };
}
