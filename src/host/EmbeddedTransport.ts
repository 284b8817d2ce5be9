/**
 * The in-process transport: IOKitLib calls the kernel server directly, with no encoding. Values
 * cross by reference, so a user-client mapping is the driver's own buffer (true shared memory);
 * callers must treat returned property values as read-only. A kernel in virtual time is driven by
 * the calls themselves (tools' embedded kernels, which must not keep the process alive on timers).
 */
import { type IOKitServer, type IOKitSession, type Scheduler, type UserTask, userTask } from "../kernel/index.ts";
import { kIOReturnSuccess } from "../base/index.ts";
import { connectionLost, replyError, unwrapReply, type Transport, type WireValue } from "../ipc/index.ts";

/** Schedulers some call is running right now: calls pending at once (a blocking read and the write that ends it) take turns. */
const pumping = new WeakSet<Scheduler>();

async function pumpOnce(scheduler: Scheduler, run: () => Promise<unknown>): Promise<void> {
  if (pumping.has(scheduler)) return;
  pumping.add(scheduler);
  try {
    await run();
  } finally {
    pumping.delete(scheduler);
  }
}

export class EmbeddedTransport implements Transport {
  readonly remote = false;
  readonly server: IOKitServer;
  readonly session: IOKitSession;
  #handler: ((port: number, payload: WireValue) => void) | undefined;
  #closed = false;

  constructor(server: IOKitServer, task: UserTask = userTask({ procName: "embedded" })) {
    this.server = server;
    this.session = server.openSession(task, (port, payload) => this.#handler?.(port, payload), { sharedMemory: true });
  }

  call(op: string, args: readonly WireValue[]): Promise<WireValue> {
    if (this.#closed) return Promise.reject(connectionLost(op));
    if (!this.server.kernel.scheduler.realTime) return this.#pumped(op, args);
    return new Promise((resolve, reject) => {
      this.server.dispatch(this.session, { id: 0, op, args }, (r) => (r.ret === kIOReturnSuccess ? resolve(r.result) : reject(replyError(op, r))));
    });
  }

  async #pumped(op: string, args: readonly WireValue[]): Promise<WireValue> {
    const reply = this.server.handle(this.session, { id: 0, op, args });
    await this.#pump(reply);
    return unwrapReply(op, await reply);
  }

  /**
   * A kernel in virtual time only moves when someone runs its scheduler: while a call is pending,
   * run what is due, let real I/O (a kext's module import) progress, and after 20 s of real time
   * let virtual time jump so that kernel-side timeouts fire instead of hanging the caller.
   */
  async #pump(reply: Promise<unknown>): Promise<void> {
    const scheduler = this.server.kernel.scheduler;
    let settled = false;
    void reply.finally(() => {
      settled = true;
    });
    const t0 = Date.now();
    while (!settled) {
      await pumpOnce(scheduler, () => scheduler.runUntilIdle());
      if (settled) break;
      await new Promise((r) => setTimeout(r, 1));
      if (Date.now() - t0 > 20_000) await pumpOnce(scheduler, () => scheduler.advance(60_000));
    }
    await pumpOnce(scheduler, () => scheduler.runUntilIdle());
  }

  onEvent(handler: (port: number, payload: WireValue) => void): void {
    this.#handler = handler;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.server.closeSession(this.session);
  }
}
