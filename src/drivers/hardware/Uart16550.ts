/**
 * A 16550A UART behind a PCI function (BAR0, byte registers at offsets 0–7): receive buffer /
 * transmit holding register, IER, IIR/FCR, LCR (DLAB), MCR (loopback), LSR, MSR, scratch. Bytes the
 * driver transmits go to the far end (`onTransmit`, or back to the receiver in loopback mode);
 * `receive(bytes)` is the far end typing. Interrupts: received-data-available and
 * transmitter-empty, as enabled in IER.
 *
 * Fault `stuck-interrupt`: IIR claims received data that is never there and every IIR read
 * re-asserts the line — the interrupt storm a careful driver must detect and mask.
 */
import type { PCIDeviceDescription } from "../machine/index.ts";
import { PCIFunctionModel } from "./PCIFunctionModel.ts";

export const UART_RBR = 0, UART_IER = 1, UART_IIR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7;
export const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
export const IER_RDA = 0x01, IER_THRE = 0x02;

export class Uart16550 extends PCIFunctionModel {
  readonly #rx: number[] = [];
  #ier = 0; #lcr = 0x03; #mcr = 0; #scr = 0; #dll = 1; #dlm = 0;
  #threPending = false;
  /** The far end: bytes the driver transmits (outside loopback). */
  onTransmit: ((byte: number) => void) | undefined;
  readonly transmitted: number[] = [];

  constructor(desc: PCIDeviceDescription) {
    super(desc);
  }

  get stuck(): boolean {
    return this.desc.faults.has("stuck-interrupt");
  }

  /** The far end sends bytes. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) if (this.#rx.length < 4096) this.#rx.push(b & 0xff);
    if (this.#ier & IER_RDA) this.raise();
  }

  override mmioRead(bar: number, offset: number, _width: 1 | 2 | 4): number {
    if (bar !== 0) return 0xff;
    const dlab = (this.#lcr & 0x80) !== 0;
    switch (offset) {
      case UART_RBR: return dlab ? this.#dll : (this.#rx.shift() ?? 0);
      case UART_IER: return dlab ? this.#dlm : this.#ier;
      case UART_IIR: {
        if (this.stuck && this.#ier !== 0) {
          this.raise();
          return 0xc4;
        }
        if ((this.#ier & IER_RDA) && this.#rx.length > 0) return 0xc4;
        if ((this.#ier & IER_THRE) && this.#threPending) {
          this.#threPending = false;
          return 0xc2;
        }
        return 0xc1;
      }
      case UART_LCR: return this.#lcr;
      case UART_MCR: return this.#mcr;
      case UART_LSR: return (this.#rx.length > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
      case UART_MSR: return this.#mcr & 0x10 ? ((this.#mcr & 0x0f) << 4) : 0xb0; // CTS, DSR, DCD asserted by the far end
      case UART_SCR: return this.#scr;
      default: return 0xff;
    }
  }

  override mmioWrite(bar: number, offset: number, _width: 1 | 2 | 4, value: number): void {
    if (bar !== 0) return;
    const dlab = (this.#lcr & 0x80) !== 0;
    const v = value & 0xff;
    switch (offset) {
      case UART_RBR:
        if (dlab) { this.#dll = v; return; }
        if (this.#mcr & 0x10) this.#rx.push(v);
        else { this.transmitted.push(v); this.onTransmit?.(v); }
        this.#threPending = true;
        if (this.#ier !== 0 && ((this.#ier & IER_THRE) || ((this.#mcr & 0x10) && (this.#ier & IER_RDA)))) this.raise();
        return;
      case UART_IER:
        if (dlab) { this.#dlm = v; return; }
        this.#ier = v & 0x0f;
        if ((this.#ier & IER_RDA && this.#rx.length > 0) || (this.stuck && this.#ier !== 0)) this.raise();
        return;
      case UART_IIR: if (v & 0x02) this.#rx.length = 0; return; // FCR: clear receive FIFO
      case UART_LCR: this.#lcr = v; return;
      case UART_MCR: this.#mcr = v & 0x1f; return;
      case UART_SCR: this.#scr = v; return;
    }
  }

  /** The divisor latch: baud = 115200 / divisor. */
  get baudRate(): number {
    const d = this.#dll | (this.#dlm << 8);
    return d === 0 ? 0 : Math.floor(115200 / d);
  }
}
