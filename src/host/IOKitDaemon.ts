/**
 * `iokitd`: one kernel served to user tasks over Unix domain sockets.
 *
 * Trust. Who may connect is decided by file modes: the ordinary socket is created with `socketMode`
 * (default 0600, the owner only; 0666 opens it to every local user), the privileged socket
 * (`<socket>.priv` by default) is always 0600. Node cannot read a socket peer's credentials
 * (no SO_PEERCRED), so the socket a task reached stands in for them: the privileged socket gives
 * uid 0 and `privileged` (kext load/unload, `root` user clients); the ordinary one a non-root uid.
 *
 * Identity. A client's first request may be a hello (`io_task_hello [pid, name, entitlements]`):
 * the session then carries that pid and name (logs, `IOUserClientCreator`); entitlements are taken
 * only on the privileged socket. A hello after any other request is refused (kIOReturnNotPermitted).
 *
 * Robustness. Each connection is a session in the kernel server, opened by its first request. A frame that does not decode, is
 * not a request, or announces more than the frame limit drops that connection with a kernel log
 * line; every well-formed request gets a reply with an IOReturn. When a connection closes — cleanly,
 * killed, or mid-call — its session is destroyed (clientDied for its user clients, notifications
 * removed), so nothing it held stays in the kernel.
 */
import { chmodSync, existsSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { IOKitServer, IOKitSession, RoutineArgs, taskFromHello, userTask, type UserTask } from "../kernel/index.ts";
import { IOReturnError, kIOReturnBadArgument, kIOReturnInternalError, kIOReturnNotPermitted } from "../base/index.ts";
import {
  FrameReader, Routine, decodeWire, encodeFrame, errorReply, eventMessage, okReply, parseRequest, replyMessage, type IPCReply, type IPCRequest,
  type WireValue,
} from "../ipc/index.ts";

/** Frames are built in Node's pooled buffers: no ArrayBuffer per reply, and `write` takes them as they are. */
export const allocFrame = (size: number): Uint8Array => Buffer.allocUnsafe(size);

export interface DaemonOptions {
  readonly socketPath: string;
  /** Default `<socketPath>.priv`; null: no privileged socket. */
  readonly privilegedSocketPath?: string | null;
  /** Mode of the ordinary socket (default 0o600). */
  readonly socketMode?: number;
}

/** The unprivileged uid: the daemon's own unless that is root, then `nobody`. */
function ordinaryUid(): number {
  const uid = typeof process.getuid === "function" ? process.getuid() : 501;
  return uid === 0 ? 4294967294 : uid;
}

export class IOKitDaemon {
  readonly server: IOKitServer;
  readonly socketPath: string;
  readonly privilegedSocketPath: string | null;
  readonly #listeners: Server[] = [];
  readonly #sockets = new Set<Socket>();
  #connections = 0;
  #closed = false;

  private constructor(server: IOKitServer, socketPath: string, privilegedSocketPath: string | null) {
    this.server = server;
    this.socketPath = socketPath;
    this.privilegedSocketPath = privilegedSocketPath;
  }

  /** Starts serving; a stale socket file at a path is replaced. */
  static async start(server: IOKitServer, options: DaemonOptions): Promise<IOKitDaemon> {
    const priv = options.privilegedSocketPath === undefined ? `${options.socketPath}.priv` : options.privilegedSocketPath;
    const d = new IOKitDaemon(server, options.socketPath, priv);
    await d.#listen(options.socketPath, options.socketMode ?? 0o600, false);
    if (priv !== null) await d.#listen(priv, 0o600, true);
    return d;
  }

  get connectionCount(): number {
    return this.#sockets.size;
  }

  #log(line: string): void {
    this.server.kernel.log(`iokitd: ${line}`);
  }

  #listen(path: string, mode: number, privileged: boolean): Promise<void> {
    if (existsSync(path)) rmSync(path, { force: true });
    const srv = createServer((sock) => this.#accept(sock, privileged));
    srv.maxConnections = 4096;
    this.#listeners.push(srv);
    return new Promise((resolve, reject) => {
      srv.once("error", reject);
      // Created under a restrictive umask-equivalent: chmod before anyone can use it matters less
      // than it seems, since the directory is the user's own; the mode is set at once.
      srv.listen({ path, backlog: 4096 }, () => {
        chmodSync(path, mode);
        srv.off("error", reject);
        resolve();
      });
    });
  }

  /** A connection's credentials before (or without) a hello: the socket decides them. */
  #task(id: number, privileged: boolean): UserTask {
    return userTask({ pid: 0, procName: `client${id}`, uid: privileged ? 0 : ordinaryUid(), privileged, console: true });
  }

  #accept(sock: Socket, privileged: boolean): void {
    if (this.#closed) {
      sock.destroy();
      return;
    }
    const id = ++this.#connections;
    this.#sockets.add(sock);
    sock.setNoDelay(true);
    const reader = new FrameReader();
    // The session opens with the first request: a hello first names the task (pid, name, entitlements).
    let session: IOKitSession | undefined;
    let ended = false;
    const open = (task: UserTask): IOKitSession => {
      session = this.server.openSession(task, (port, payload) => {
        if (!sock.destroyed) sock.write(encodeFrame(eventMessage(port, payload), allocFrame));
      });
      return session;
    };
    const who = (): string => (session && session.task.pid !== 0 ? `connection ${id} (pid ${session.task.pid}, ${session.task.procName})` : `connection ${id}`);
    const drop = (why: string): void => {
      this.#log(`dropping ${who()}: ${why}`);
      sock.destroy();
    };
    const end = (): void => {
      ended = true;
      this.#sockets.delete(sock);
      if (session) this.server.closeSession(session);
      session = undefined;
    };
    sock.on("close", end);
    sock.on("error", () => sock.destroy());
    const reply = (reqID: number, op: string, r: IPCReply): void => {
      if (sock.destroyed) return;
      let frame: Uint8Array;
      try {
        frame = encodeFrame(replyMessage(reqID, r), allocFrame);
      } catch (e) {
        // A result outside the wire model is a kernel bug; the task still gets an IOReturn.
        this.#log(`${op}: unencodable reply (${e instanceof Error ? e.message : String(e)})`);
        frame = encodeFrame(replyMessage(reqID, { ret: kIOReturnInternalError, message: "unencodable reply", result: null }), allocFrame);
      }
      sock.write(frame);
    };
    const hello = (req: IPCRequest): IPCReply => {
      if (session) return errorReply(new IOReturnError(kIOReturnNotPermitted, `${req.op} must be the first request of a connection`), kIOReturnNotPermitted);
      try {
        open(taskFromHello(this.#task(id, privileged), new RoutineArgs(req.op, req.args)));
        return okReply(null);
      } catch (e) {
        return errorReply(e, kIOReturnBadArgument);
      }
    };
    sock.on("data", (chunk: Buffer) => {
      if (ended) return;
      let frames: Uint8Array[];
      try {
        // A plain view: decoded data must be copies (Buffer#slice would alias the read buffer).
        frames = reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (e) {
        drop(e instanceof Error ? e.message : String(e));
        return;
      }
      // Several requests in one read (a pipelining client): their synchronous replies leave in one write.
      const batch = frames.length > 1;
      if (batch) sock.cork();
      try {
        for (const f of frames) {
          let v: WireValue;
          try {
            v = decodeWire(f);
          } catch (e) {
            drop(`undecodable frame (${e instanceof Error ? e.message : String(e)})`);
            return;
          }
          const req = parseRequest(v);
          if (!req) {
            drop("frame is not a request");
            return;
          }
          if (req.op === Routine.taskHello) reply(req.id, req.op, hello(req));
          else this.server.dispatch(session ?? open(this.#task(id, privileged)), req, (r) => reply(req.id, req.op, r));
        }
      } finally {
        if (batch) sock.uncork();
      }
    });
  }

  /** Stops serving: closes every connection (their sessions are destroyed) and removes the sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sockets) s.destroy();
    await Promise.all(this.#listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    for (const p of [this.socketPath, this.privilegedSocketPath]) if (p && existsSync(p)) rmSync(p, { force: true });
  }
}
