/**
 * ioreg's output functions: `print` appends to the current line, `println` ends it. With a width
 * (`-w`), a line keeps its first width−1 bytes and gets a `$` when it reached the width, and
 * newlines inside it become spaces, exactly as ioreg's vsnprintf-into-a-width-buffer does.
 * Output is collected as byte strings.
 */
export class IORegPrinter {
  readonly #out: string[] = [];
  readonly #width: number;
  #line = "";

  constructor(width: number) {
    this.#width = width;
  }

  print(text: string): void {
    this.#line += text;
  }

  println(text = ""): void {
    let t = this.#line + text;
    this.#line = "";
    if (this.#width > 0) {
      if (t.includes("\n")) t = t.replace(/\n/g, " ");
      if (t.length >= this.#width) t = `${t.slice(0, this.#width - 1)}$`;
    }
    this.#out.push(t, "\n");
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
