/**
 * The client end of the daemon's Unix domain socket: a hello first (this process's pid and name,
 * and any entitlements it presents), then requests go out as frames, replies are matched by
 * request ID, events are handed to the listener. If the connection drops, every call still
 * waiting rejects with kIOReturnIPCError.
 */
import { createConnection, type Socket } from "node:net";
import { basename } from "node:path";
import { kIOReturnSuccess } from "../base/index.ts";
import type { OSValue } from "../libkern/index.ts";
import {
  FrameReader, Routine, connectionLost, decodeWire, encodeFrame, parseIncoming, replyError, requestMessage, type Transport, type WireValue,
} from "../ipc/index.ts";
import { allocFrame } from "./IOKitDaemon.ts";

/** How a client introduces itself to the daemon. */
export interface ConnectOptions {
  /** Process name for the kernel (default: this script's name, e.g. `iokit`); it keeps 16 bytes. */
  readonly procName?: string;
  /** Default `process.pid`. */
  readonly pid?: number;
  /** Entitlements to present (accepted on the privileged socket only). */
  readonly entitlements?: ReadonlyMap<string, OSValue> | null;
}

/** This process's name as a client: the script Node runs (without its extension), else Node's own. */
export function defaultProcessName(): string {
  const script = process.argv[1];
  return basename(script !== undefined && script !== "" ? script : process.execPath).replace(/\.(?:[cm]?js|[cm]?ts)$/, "") || "node";
}

export class SocketTransport implements Transport {
  readonly remote = true;
  readonly socket: Socket;
  readonly #pending = new Map<number, { op: string; resolve: (v: WireValue) => void; reject: (e: unknown) => void }>();
  readonly #reader = new FrameReader();
  #handler: ((port: number, payload: WireValue) => void) | undefined;
  #nextId = 1;
  #closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay?.(true);
    socket.on("data", (chunk: Buffer) => this.#data(chunk));
    socket.on("close", () => this.#lost());
    socket.on("error", () => this.#lost());
  }

  /**
   * Connects to the daemon's socket at `path` and introduces this process (its hello: pid, name,
   * and the entitlements it presents, which the daemon takes only on its privileged socket; a
   * refused hello rejects with its IOReturnError). A full listen queue (EAGAIN, when many clients
   * connect at once) is retried with a short backoff, up to about two seconds.
   */
  static async connect(path: string, options: ConnectOptions = {}): Promise<SocketTransport> {
    const t = await SocketTransport.#open(path);
    try {
      await t.call(Routine.taskHello, [options.pid ?? process.pid, options.procName ?? defaultProcessName(), (options.entitlements ?? null) as WireValue]);
    } catch (e) {
      t.close();
      throw e;
    }
    return t;
  }

  static async #open(path: string): Promise<SocketTransport> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await new Promise<SocketTransport>((resolve, reject) => {
          const s = createConnection(path);
          const fail = (e: Error): void => reject(e);
          s.once("error", fail);
          s.once("connect", () => {
            s.off("error", fail);
            resolve(new SocketTransport(s));
          });
        });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN" || attempt >= 40) throw e;
        await new Promise((r) => setTimeout(r, 5 + attempt * 2));
      }
    }
  }

  #data(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.#reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch {
      this.socket.destroy();
      return;
    }
    for (const f of frames) {
      let m;
      try {
        m = parseIncoming(decodeWire(f));
      } catch {
        m = undefined;
      }
      if (m === undefined) continue;
      if (m.kind === "event") this.#handler?.(m.port, m.payload);
      else {
        const p = this.#pending.get(m.id);
        if (!p) continue;
        this.#pending.delete(m.id);
        if (m.reply.ret === kIOReturnSuccess) p.resolve(m.reply.result);
        else p.reject(replyError(p.op, m.reply));
      }
    }
  }

  #lost(): void {
    this.#closed = true;
    for (const [, p] of this.#pending) p.reject(connectionLost(p.op));
    this.#pending.clear();
  }

  call(op: string, args: readonly WireValue[]): Promise<WireValue> {
    if (this.#closed) return Promise.reject(connectionLost(op));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { op, resolve, reject });
      this.socket.write(encodeFrame(requestMessage(id, op, args), allocFrame));
    });
  }

  onEvent(handler: (port: number, payload: WireValue) => void): void {
    this.#handler = handler;
  }

  close(): void {
    this.#closed = true;
    this.socket.end();
  }
}
