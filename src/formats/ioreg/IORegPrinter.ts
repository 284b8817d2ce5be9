/**
 * ioreg's output functions: `print` appends to the current line, `println` ends it. With a width
 * (`-w`), a line keeps its first width−1 bytes and gets a `$` when it reached the width, and
 * newlines inside it become spaces, exactly as ioreg's vsnprintf-into-a-width-buffer does.
 * Terminal sequences (`-b`) go out through {@link IORegPrinter.printRaw}: ioreg writes them with
 * tputs, around the width buffer, so they never count toward the width and are never clipped.
 * Output is collected as byte strings.
 */
export class IORegPrinter {
  readonly #out: string[] = [];
  readonly #width: number;
  #line = "";
  /** Raw segments of the current line and the visible offset each goes before. */
  #raw: Array<[number, string]> = [];

  constructor(width: number) {
    this.#width = width;
  }

  print(text: string): void {
    this.#line += text;
  }

  /** Writes bytes that bypass width accounting (terminal sequences). */
  printRaw(text: string): void {
    this.#raw.push([this.#line.length, text]);
  }

  println(text = ""): void {
    let t = this.#line + text;
    this.#line = "";
    let clipped = false;
    if (this.#width > 0) {
      if (t.includes("\n")) t = t.replace(/\n/g, " ");
      if (t.length >= this.#width) {
        t = t.slice(0, this.#width - 1);
        clipped = true;
      }
    }
    if (this.#raw.length > 0) {
      let out = "";
      let at = 0;
      for (const [offset, raw] of this.#raw) {
        const cut = Math.min(offset, t.length);
        out += t.slice(at, cut) + raw;
        at = cut;
      }
      t = out + t.slice(at);
      this.#raw = [];
    }
    this.#out.push(clipped ? `${t}$` : t, "\n");
  }

  /** Everything printed, including an unterminated last line. */
  text(): string {
    if (this.#line !== "") {
      this.#out.push(this.#width > 0 ? this.#line.slice(0, this.#width - 1) : this.#line);
      this.#line = "";
    }
    return this.#out.join("");
  }
}
