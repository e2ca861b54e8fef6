/**
 * Code fragments an emitter built from escaped parts. Templates can print a
 * Code with `{{code x}}`, never a plain string: the brand is the proof that
 * every value inside went through one of the escapers.
 */
export class Code {
  private constructor(readonly text: string) {}

  /** Join literal code with already-escaped pieces: `Code.of\`f ${nixString(x)}\``. */
  static of(strings: TemplateStringsArray, ...escaped: (string | Code)[]): Code {
    let out = strings[0] ?? "";
    escaped.forEach((piece, i) => {
      out += (piece instanceof Code ? piece.text : piece) + (strings[i + 1] ?? "");
    });
    return new Code(out);
  }

  static join(parts: Code[], separator: string): Code {
    return new Code(parts.map((p) => p.text).join(separator));
  }
}
