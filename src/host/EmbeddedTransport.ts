/**
 * The in-process transport: IOKitLib calls the kernel server directly, with no encoding. Values
 * cross by reference, so a user-client mapping is the driver's own buffer (true shared memory).
 */
import { type IOKitServer, type IOKitSession, type UserTask, userTask } from "../kernel/index.ts";
import { connectionLost, unwrapReply, type Transport, type WireValue } from "../ipc/index.ts";

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

  async call(op: string, args: readonly WireValue[]): Promise<WireValue> {
    if (this.#closed) throw connectionLost(op);
    return unwrapReply(op, await this.server.handle(this.session, { id: 0, op, args }));
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
