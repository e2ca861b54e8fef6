/**
 * Code fragments an emitter built from escaped parts. Templates can print a
 * Code with `{{code x}}`, never a plain string: the brand is the proof that
 * every value inside went through one of the escapers.
 *
 * So no string can become Code by itself: `Code.of` takes only literal
 * template text, Code pieces and integers, and the only way from a value to
 * a piece is through an escaper (`Code.nix`, `Code.sh`, ...). A string
 * interpolated into `Code.of` is refused at compile time and at run time.
 */
import { nixAttrName, nixString, nixStringList } from "./nix.js";
import { shellIdentifier, shellQuote } from "./shell.js";
import { jsonString } from "./json.js";

export type CodePiece = Code | number;

export class Code {
  private constructor(readonly text: string) {}

  /** Literal code with escaped pieces: `Code.of\`inputAttr ${Code.nix(name)}\``. */
  static of(strings: TemplateStringsArray, ...pieces: CodePiece[]): Code {
    // A template literal's strings array is frozen and carries `raw`; a hand-made array of strings is not literal code.
    if (!Array.isArray(strings) || !Object.isFrozen(strings) || !Array.isArray((strings as { raw?: unknown }).raw)) {
      throw new TypeError("Code.of is a template tag: Code.of`literal ${piece}`");
    }
    let out = strings[0] ?? "";
    pieces.forEach((piece, i) => {
      out += pieceText(piece) + (strings[i + 1] ?? "");
    });
    return new Code(out);
  }

  static join(parts: Code[], separator: string): Code {
    for (const part of parts) pieceText(part);
    if (/[^ ,\n]/.test(separator)) throw new TypeError(`Code.join separates with spaces, commas or newlines, not ${JSON.stringify(separator)}`);
    return new Code(parts.map((p) => p.text).join(separator));
  }

  /** A Nix string literal. */
  static nix(value: string): Code {
    return new Code(nixString(value));
  }

  /** A Nix attribute name (bare when it can be). */
  static nixAttr(name: string): Code {
    return new Code(nixAttrName(name));
  }

  /** A Nix list of string literals. */
  static nixList(values: readonly string[]): Code {
    return new Code(nixStringList(values));
  }

  /** A single-quoted POSIX shell word. */
  static sh(value: string): Code {
    return new Code(shellQuote(value));
  }

  /** A shell variable or function name (refused unless it is one). */
  static ident(name: string): Code {
    return new Code(shellIdentifier(name));
  }

  /** A JSON string literal. */
  static json(value: string): Code {
    return new Code(jsonString(value));
  }
}

function pieceText(piece: unknown): string {
  if (piece instanceof Code) return piece.text;
  if (typeof piece === "number" && Number.isSafeInteger(piece)) return String(piece);
  throw new TypeError(`Code takes Code pieces (from an escaper such as Code.nix) or integers, not ${typeof piece === "string" ? `the string ${JSON.stringify(piece)}` : typeof piece}`);
}
