/**
 * The kernel's end of every user connection: it opens a {@link IOKitSession} per task and answers
 * requests from the routine table. Requests are independent; the reply to each is either a result
 * or `{ret, message}`. A routine that throws anything but an IOReturnError is a kernel bug as far
 * as the task is concerned: the task gets kIOReturnInternalError and the kernel log a line, and the
 * kernel keeps running.
 *
 * The host adds routines of its own (kext loading) with {@link IOKitServer.addRoutine}; routines
 * marked privileged answer kIOReturnNotPrivileged to an unprivileged task.
 */
import { IOReturnError, kIOReturnBadMessageID, kIOReturnInternalError, kIOReturnNotPrivileged } from "../../base/index.ts";
import { errorReply, okReply, type IPCReply, type IPCRequest, type WireValue } from "../../ipc/index.ts";
import type { IOKernel } from "../service/index.ts";
import { IOKitSession, type SessionOptions, type SessionSink } from "./IOKitSession.ts";
import { KERNEL_ROUTINES, type KernelRoutine, type RoutineEntry } from "./kernelRoutines.ts";
import { RoutineArgs } from "./RoutineArgs.ts";
import type { UserTask } from "./UserTask.ts";

export class IOKitServer {
  readonly kernel: IOKernel;
  readonly #routines = new Map<string, RoutineEntry>(KERNEL_ROUTINES);
  readonly #sessions = new Set<IOKitSession>();

  constructor(kernel: IOKernel) {
    this.kernel = kernel;
  }

  /** Adds (or replaces) a routine. */
  addRoutine(name: string, fn: KernelRoutine, options: { privileged?: boolean } = {}): void {
    this.#routines.set(name, { fn, privileged: options.privileged ?? false });
  }

  /** A new task connection. */
  openSession(task: UserTask, send: SessionSink, options: SessionOptions = {}): IOKitSession {
    const s = new IOKitSession(this.kernel, task, send, options);
    this.#sessions.add(s);
    return s;
  }

  /** The task is gone: release what it held. */
  closeSession(s: IOKitSession): void {
    if (!this.#sessions.delete(s)) return;
    s.destroy();
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Answers one request. Never throws. */
  handle(s: IOKitSession, req: IPCRequest): Promise<IPCReply> {
    return new Promise((resolve) => this.dispatch(s, req, resolve));
  }

  /**
   * Answers one request through `done`, called exactly once: at once when the routine completes
   * synchronously (a scalar method call does), so a transport can reply without a promise hop,
   * else when the routine's promise settles. Never throws.
   */
  dispatch(s: IOKitSession, req: IPCRequest, done: (reply: IPCReply) => void): void {
    const r = this.#routines.get(req.op);
    if (!r) return done(errorReply(new IOReturnError(kIOReturnBadMessageID, `unknown kernel routine ${req.op}`), kIOReturnBadMessageID));
    if (r.privileged && !s.task.privileged) return done(errorReply(new IOReturnError(kIOReturnNotPrivileged, `${req.op} needs a privileged connection`), kIOReturnNotPrivileged));
    let result: WireValue | Promise<WireValue>;
    try {
      result = r.fn(s, new RoutineArgs(req.op, req.args));
    } catch (e) {
      return done(this.#failed(req.op, e));
    }
    if (result instanceof Promise) result.then((v) => done(okReply(v)), (e: unknown) => done(this.#failed(req.op, e)));
    else done(okReply(result));
  }

  #failed(op: string, e: unknown): IPCReply {
    if (!(e instanceof IOReturnError)) this.kernel.log(`${op}: ${e instanceof Error ? e.message : String(e)}`);
    return errorReply(e, kIOReturnInternalError);
  }
}
