/**
 * Partly generated files (README.md, docs/*.md): the generator owns only the
 * text between a pair of marker comments and leaves the rest as written.
 *
 *   <!-- BEGIN generated: nixos-options -->
 *   …replaced on every run…
 *   <!-- END generated: nixos-options -->
 */

export const beginMarker = (name: string) => `<!-- BEGIN generated: ${name} -->`;
export const endMarker = (name: string) => `<!-- END generated: ${name} -->`;

/** A marker is missing, doubled or out of order: the file is left as it is. */
export class SpliceError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "SpliceError";
  }
}

function onlyIndex(text: string, marker: string, file: string): number {
  const at = text.indexOf(marker);
  if (at < 0) throw new SpliceError(file, `no ${marker} line`);
  if (text.indexOf(marker, at + 1) >= 0) throw new SpliceError(file, `${marker} appears twice`);
  if ((at > 0 && text[at - 1] !== "\n") || (text[at + marker.length] !== "\n" && at + marker.length !== text.length)) {
    throw new SpliceError(file, `${marker} must stand on a line of its own`);
  }
  return at;
}

/** `text` with each named block's content (one or more whole lines) put between its markers. */
export function spliceBlocks(file: string, text: string, blocks: Record<string, string>): string {
  let out = text;
  for (const [name, content] of Object.entries(blocks)) {
    const begin = beginMarker(name);
    const end = endMarker(name);
    const from = onlyIndex(out, begin, file) + begin.length + 1;
    const to = onlyIndex(out, end, file);
    if (to < from) throw new SpliceError(file, `${end} comes before ${begin}`);
    if (content.includes(begin) || content.includes(end)) throw new SpliceError(file, `the content of block ${name} holds its own marker`);
    const body = content === "" || content.endsWith("\n") ? content : `${content}\n`;
    out = out.slice(0, from) + body + out.slice(to);
  }
  return out;
}
