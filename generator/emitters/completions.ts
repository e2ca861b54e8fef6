/**
 * Shell completions for every command and flag, from the command specs:
 *   out/share/bash-completion/completions/<command>
 *   out/share/zsh/site-functions/_<command>
 *   out/share/fish/vendor_completions.d/<command>.fish
 * (the layout bash-completion, zsh and fish load from a profile's share/).
 *
 * A flag's value is completed by its placeholder: DIR → directories,
 * PATH → files, NAME → the metadata field names of the model (shell and JSON
 * names, so custom fields from provenance.yaml are offered too); a flag with
 * `choices` offers those. Positionals offer their `choices` (narrowed by
 * `choicesAfter` when the word before is given: `home` has no `boot`).
 * A command with subcommands offers, after a subcommand word, only the mode
 * flags that subcommand takes (the parser refuses the others), and the
 * generation numbers of the system profile's links (read when completing,
 * under $NIXOS_PROVENANCE_ROOT) where an argument is a `generation`.
 */
import type { Emitter, OutputFile } from "./types.js";
import type { Model, ResolvedCommand } from "../model.js";
import type { FlagSpec, SubcommandSpec } from "../schema/types.js";
import { shellIdentifier, shellQuote } from "../escape/shell.js";
import { fishQuote, plainDescription, zshSpecText } from "../escape/completion.js";

type ValueKind = { kind: "dirs" } | { kind: "files" } | { kind: "words"; words: string[] } | { kind: "none" };

export function flagValueKind(model: Model, flag: FlagSpec): ValueKind {
  if (!flag.value) return { kind: "none" };
  if (flag.choices) return { kind: "words", words: flag.choices };
  if (flag.value === "DIR") return { kind: "dirs" };
  if (flag.value === "PATH") return { kind: "files" };
  if (flag.value === "NAME") return { kind: "words", words: fieldNameWords(model) };
  return { kind: "none" };
}

export function fieldNameWords(model: Model): string[] {
  return [...model.fields.map((f) => f.shellVar), ...model.fields.map((f) => f.jsonKey)];
}

const functionName = (command: ResolvedCommand) => shellIdentifier(`_nixos_provenance_${command.name.replace(/-/g, "_")}`);

function flagWords(command: ResolvedCommand): string[] {
  return command.flags.flatMap((f) => (f.short ? [f.long, f.short] : [f.long]));
}


/** Where the system profile's generation links are (`system-N-link`), below $NIXOS_PROVENANCE_ROOT. */
const profilesDir = "/nix/var/nix/profiles";

const isMode = (f: FlagSpec) => f.group === "mode";
const modeOf = (f: FlagSpec) => f.long.replace(/^--/, "");

/** The flags a subcommand accepts: its modes and every ungrouped flag. */
function subcommandFlags(command: ResolvedCommand, sub: SubcommandSpec): FlagSpec[] {
  return command.flags.filter((f) => !isMode(f) || sub.modes.includes(modeOf(f)));
}
const namesOf = (flags: FlagSpec[]) => flags.flatMap((f) => (f.short ? [f.long, f.short] : [f.long]));

/** The words a command with subcommands takes as its first positional: the subcommand words, then the default form's choices. */
function firstWords(command: ResolvedCommand): string[] {
  const words = (command.subcommands ?? []).filter((s) => !s.default).map((s) => s.name);
  const choices = command.positionals[0]?.choices ?? [];
  return [...new Set([...choices, ...words])];
}

function bash(model: Model, command: ResolvedCommand): string {
  const fn = functionName(command);
  const valueFlags = command.flags.filter((f) => f.value);
  const valueCases = valueFlags.map((f) => {
    const names = [f.long, ...(f.short ? [f.short] : [])].map(shellQuote).join(" | ");
    const kind = flagValueKind(model, f);
    const action =
      kind.kind === "dirs" ? `mapfile -t COMPREPLY < <(compgen -d -- "$cur")`
      : kind.kind === "files" ? `mapfile -t COMPREPLY < <(compgen -f -- "$cur")`
      : kind.kind === "words" ? `mapfile -t COMPREPLY < <(compgen -W ${shellQuote(kind.words.join(" "))} -- "$cur")`
      : "COMPREPLY=()";
    return `\t${names})\n\t\t${action}\n\t\treturn 0\n\t\t;;`;
  });
  const skipNext = valueFlags.length
    ? `\t\t${valueFlags.flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]).map(shellQuote).join(" | ")}) skip=1 ;;\n`
    : "";
  const words = (list: string[]) => `mapfile -t COMPREPLY < <(compgen -W ${shellQuote(list.join(" "))} -- "$cur")`;
  const subs = command.subcommands ?? [];
  const generations = `${fn}_generations`;
  const wantsGenerations = subs.some((sub) => sub.args.some((a) => a.generation));
  // Positional words so far are kept (positional[]), for subcommands and `choicesAfter`.
  let positionalCases: string[];
  let flagCompletion: string;
  if (subs.length) {
    const byWord = subs.filter((sub) => !sub.default);
    const fallback = subs.find((sub) => sub.default);
    const argCase = (sub: SubcommandSpec, offset: number) =>
      sub.args.flatMap((a, i) => (a.generation ? [`\t\t${i + offset}) ${generations} ;;`] : []));
    const subCase = (sub: SubcommandSpec, names: string) => {
      const cases = argCase(sub, sub.default ? 0 : 1);
      return `\t${names})\n\t\tcase $index in\n${cases.length ? `${cases.join("\n")}\n` : ""}\t\tesac\n\t\t;;`;
    };
    const firstGeneration = fallback?.args[0]?.generation ? `\n\t\t${generations}` : "";
    positionalCases = [
      `\t0)\n\t\t${words(firstWords(command))}${firstGeneration}\n\t\treturn 0\n\t\t;;`,
    ];
    const withGenerations = (sub: SubcommandSpec) => sub.args.some((a) => a.generation);
    const dispatch = [
      ...byWord.filter(withGenerations).map((sub) => subCase(sub, shellQuote(sub.name))),
      ...(fallback && withGenerations(fallback) ? [subCase(fallback, "*")] : []),
    ];
    positionalCases.push(`\t*)\n\t\tcase \${positional[0]} in\n${dispatch.map((d) => d.replace(/\n\t/g, "\n\t\t").replace(/^\t/, "\t\t")).join("\n")}\n\t\tesac\n\t\t;;`);
    const flagCases = [
      ...byWord.map((sub) => `\t\t${shellQuote(sub.name)}) ${words(namesOf(subcommandFlags(command, sub)))} ;;`),
      ...(fallback ? [`\t\t*) ${words(namesOf(subcommandFlags(command, fallback)))} ;;`] : []),
    ];
    flagCompletion = `\t\tif ((index == 0)); then\n\t\t\t${words(flagWords(command))}\n\t\telse\n\t\t\tcase \${positional[0]} in\n${flagCases.map((c) => `\t${c}`).join("\n")}\n\t\t\tesac\n\t\tfi`;
  } else {
    positionalCases = command.positionals.map((p, i) => {
      if (!p.choices) return `\t${i}) COMPREPLY=() ;;`;
      const narrowed = Object.entries(p.choicesAfter ?? {});
      if (!narrowed.length) return `\t${i})\n\t\t${words(p.choices)}\n\t\t;;`;
      const cases = narrowed.map(([before, list]) => `\t\t${shellQuote(before)}) ${words(list)} ;;`);
      return `\t${i})\n\t\tcase \${positional[${i - 1}]-} in\n${cases.join("\n")}\n\t\t*) ${words(p.choices)} ;;\n\t\tesac\n\t\t;;`;
    });
    flagCompletion = `\t\t${words(flagWords(command))}`;
  }
  const generationFunction = wantsGenerations
    ? `# ${generations}: COMPREPLY += the numbers N of the system profile's system-N-link entries matching $cur.
${generations}() {
\tlocal link n
\tlocal -a numbers=()
\tfor link in "\${NIXOS_PROVENANCE_ROOT:-}"${profilesDir}/system-*-link; do
\t\tn=\${link##*/system-}
\t\tn=\${n%-link}
\t\t[[ $n =~ ^[0-9]+$ && $n == "$cur"* ]] && numbers+=("$n")
\tdone
\tCOMPREPLY+=("\${numbers[@]}")
}
`
    : "";
  return `# bash completion for ${command.name} (nixos-provenance).
# Generated by nixos-provenance from its schema; do not edit. Regenerate with \`npm run generate\`.
${generationFunction}${fn}() {
\tlocal cur prev word skip=0 index=0 i
\tlocal -a positional=()
\tcur=\${COMP_WORDS[COMP_CWORD]}
\tprev=\${COMP_WORDS[COMP_CWORD - 1]:-}
\tCOMPREPLY=()
\tcase $prev in
${valueCases.join("\n")}${valueCases.length ? "\n" : ""}\tesac
\tfor ((i = 1; i < COMP_CWORD; i++)); do
\t\tword=\${COMP_WORDS[i]}
\t\tif ((skip)); then
\t\t\tskip=0
\t\t\tcontinue
\t\tfi
\t\tcase $word in
\t\t--) return 0 ;;
${skipNext}\t\t-*) ;;
\t\t*)
\t\t\tpositional+=("$word")
\t\t\tindex=$((index + 1))
\t\t\t;;
\t\tesac
\tdone
\tif [[ $cur == -* ]]; then
${flagCompletion}
\t\treturn 0
\tfi
\tcase $index in
${positionalCases.join("\n")}${positionalCases.length ? "\n" : ""}\tesac
\treturn 0
}
complete -F ${fn} ${shellQuote(command.name)}
`;
}

function zshFlagSpecs(model: Model, flags: FlagSpec[]): string[] {
  const specs: string[] = [];
  for (const f of flags) {
    const names = [f.long, ...(f.short ? [f.short] : [])];
    const exclusion = names.length > 1 ? `(${names.join(" ")})` : "";
    const kind = flagValueKind(model, f);
    const value =
      kind.kind === "dirs" ? `:${zshSpecText(f.value ?? "")}:_files -/`
      : kind.kind === "files" ? `:${zshSpecText(f.value ?? "")}:_files`
      : kind.kind === "words" ? `:${zshSpecText(f.value ?? "")}:(${kind.words.map(zshSpecText).join(" ")})`
      : f.value ? `:${zshSpecText(f.value)}:` : "";
    for (const name of names) specs.push(shellQuote(`${exclusion}${name}[${zshSpecText(plainDescription(f.description))}]${value}`));
  }
  return specs;
}

function zsh(model: Model, command: ResolvedCommand): string {
  const fn = functionName(command);
  const header = `#compdef ${command.name}
# zsh completion for ${command.name} (nixos-provenance).
# Generated by nixos-provenance from its schema; do not edit. Regenerate with \`npm run generate\`.
`;
  const subs = command.subcommands ?? [];
  if (!subs.length) {
    const specs = zshFlagSpecs(model, command.flags);
    const helpers: string[] = [];
    command.positionals.forEach((p, i) => {
      let action = p.choices ? `(${p.choices.map(zshSpecText).join(" ")})` : " ";
      const narrowed = Object.entries(p.choicesAfter ?? {});
      if (p.choices && narrowed.length) {
        // Which words this one takes depends on the positional before it ($line: the positionals so far).
        const helper = `${fn}_${shellIdentifier(p.name.toLowerCase())}`;
        const cases = narrowed.map(([before, list]) => `\t${shellQuote(before)}) compadd -- ${list.map(shellQuote).join(" ")} ;;`);
        helpers.push(`${helper}() {\n\tcase \${line[${i}]-} in\n${cases.join("\n")}\n\t*) compadd -- ${p.choices.map(shellQuote).join(" ")} ;;\n\tesac\n}\n`);
        action = helper;
      }
      specs.push(shellQuote(`${i + 1}:${p.optional ? ":" : ""}${zshSpecText(p.name)}:${action}`));
    });
    return `${header}${helpers.join("")}_arguments -s -S \\
  ${specs.join(" \\\n  ")}
`;
  }
  // Subcommands: the first positional picks the form, whose own flags and
  // arguments are then completed (a mode flag only where the form takes it).
  const generations = `${fn}_generations`;
  const fallback = subs.find((sub) => sub.default);
  const subArguments = (sub: SubcommandSpec) => {
    const specs = zshFlagSpecs(model, subcommandFlags(command, sub));
    sub.args.forEach((a, i) => {
      // $words[1] is the first positional: for the default form it is already an argument.
      const position = i + (sub.default ? 0 : 1);
      if (position === 0) return;
      specs.push(shellQuote(`${position}:${a.optional ? ":" : ""}${zshSpecText(a.name)}:${a.generation ? generations : " "}`));
    });
    return `_arguments -s -S \\\n\t\t\t${specs.join(" \\\n\t\t\t")}`;
  };
  const cases = [
    ...subs.filter((sub) => !sub.default).map((sub) => `\t\t${shellQuote(sub.name)})\n\t\t\t${subArguments(sub)}\n\t\t\t;;`),
    ...(fallback ? [`\t\t*)\n\t\t\t${subArguments(fallback)}\n\t\t\t;;`] : []),
  ];
  const firstAlternatives = [`${shellQuote(`words:word:(${firstWords(command).map(zshSpecText).join(" ")})`)}`];
  if (fallback?.args[0]?.generation) firstAlternatives.push(shellQuote(`generations:generation:${generations}`));
  return `${header}# ${generations}: the numbers N of the system profile's system-N-link entries.
${generations}() {
\tlocal link
\tlocal -a numbers expl
\tfor link in \${NIXOS_PROVENANCE_ROOT:-}${profilesDir}/system-<->-link(N); do
\t\tlink=\${link##*/system-}
\t\tnumbers+=("\${link%-link}")
\tdone
\t_wanted generations expl generation compadd -a numbers
}

${fn}() {
\tlocal curcontext=$curcontext state state_descr line
\ttypeset -A opt_args
\t_arguments -s -S -C \\
\t\t${zshFlagSpecs(model, command.flags).join(" \\\n\t\t")} \\
\t\t'1: :->first' \\
\t\t'*:: :->rest'
\tcase $state in
\tfirst)
\t\t_alternative ${firstAlternatives.join(" ")}
\t\t;;
\trest)
\t\tcase \${words[1]} in
${cases.join("\n")}
\t\tesac
\t\t;;
\tesac
}

${fn} "$@"
`;
}

function fish(model: Model, command: ResolvedCommand): string {
  const c = fishQuote(command.name);
  const fn = `_${functionName(command)}`;
  const subs = command.subcommands ?? [];
  const lines = [`complete -c ${c} -f`];
  const valueFlags = command.flags.filter((f) => f.value).flatMap((f) => [f.long, ...(f.short ? [f.short] : [])]);
  const helpers: string[] = [];
  if (subs.length) {
    // ${fn}_args: the positional words so far (flags and their values left out).
    helpers.push(`function ${fn}_args
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
${valueFlags.length ? `            case ${valueFlags.map(fishQuote).join(" ")}\n                set skip 1\n` : ""}            case '--'
                return
            case '-*'
            case '*'
                printf '%s\\n' $word
        end
    end
end
# ${fn}_form WORD...: the first positional word is one of WORDS.
function ${fn}_form
    set -l first (${fn}_args)[1]
    contains -- $first $argv
end
# ${fn}_generations: the numbers N of the system profile's system-N-link entries.
function ${fn}_generations
    for link in "$NIXOS_PROVENANCE_ROOT"${profilesDir}/system-*-link
        string replace -rf '^.*/system-([0-9]+)-link$' '$1' -- $link
    end
end`);
  }
  for (const f of command.flags) {
    const parts = [`complete -c ${c}`];
    if (subs.length && isMode(f)) {
      const refusing = subs.filter((sub) => !sub.default && !sub.modes.includes(modeOf(f))).map((sub) => sub.name);
      const fallback = subs.find((sub) => sub.default);
      const fallbackRefuses = fallback && !fallback.modes.includes(modeOf(f));
      if (fallbackRefuses) {
        const accepting = subs.filter((sub) => !sub.default && sub.modes.includes(modeOf(f))).map((sub) => sub.name);
        parts.push(`-n ${fishQuote(`test (count (${fn}_args)) -eq 0; or ${fn}_form ${accepting.join(" ")}`)}`);
      } else if (refusing.length) {
        parts.push(`-n ${fishQuote(`not ${fn}_form ${refusing.join(" ")}`)}`);
      }
    }
    if (f.short) parts.push(`-s ${fishQuote(f.short.replace(/^-/, ""))}`);
    parts.push(`-l ${fishQuote(f.long.replace(/^--/, ""))}`);
    const kind = flagValueKind(model, f);
    if (kind.kind === "dirs") parts.push("-x -a '(__fish_complete_directories)'");
    else if (kind.kind === "files") parts.push("-r -F");
    else if (kind.kind === "words") parts.push(`-x -a ${fishQuote(kind.words.join(" "))}`);
    else if (f.value) parts.push("-x");
    parts.push(`-d ${fishQuote(plainDescription(f.description))}`);
    lines.push(parts.join(" "));
  }
  if (subs.length) {
    const first = command.positionals[0];
    lines.push(`complete -c ${c} -n ${fishQuote(`test (count (${fn}_args)) -eq 0`)} -a ${fishQuote(firstWords(command).join(" "))} -d ${fishQuote(plainDescription(first?.description ?? "subcommand"))}`);
    const fallback = subs.find((sub) => sub.default);
    if (fallback?.args[0]?.generation) lines.push(`complete -c ${c} -n ${fishQuote(`test (count (${fn}_args)) -eq 0`)} -a ${fishQuote(`(${fn}_generations)`)} -d 'generation'`);
    for (const sub of subs.filter((s) => !s.default)) {
      const counts = sub.args.flatMap((a, i) => (a.generation ? [i + 1] : []));
      if (!counts.length) continue;
      const condition = `${fn}_form ${sub.name}; and contains -- (count (${fn}_args)) ${counts.join(" ")}`;
      lines.push(`complete -c ${c} -n ${fishQuote(condition)} -a ${fishQuote(`(${fn}_generations)`)} -d 'generation'`);
    }
  } else {
    command.positionals.forEach((p, i) => {
      if (!p.choices) return;
      const condition = `not __fish_seen_subcommand_from ${p.choices.join(" ")}; and test (count (commandline -opc)) -le ${i + 1}`;
      const narrowed = Object.entries(p.choicesAfter ?? {});
      const description = fishQuote(plainDescription(p.description));
      if (!narrowed.length) {
        lines.push(`complete -c ${c} -n ${fishQuote(condition)} -a ${fishQuote(p.choices.join(" "))} -d ${description}`);
        return;
      }
      for (const [before, list] of narrowed) {
        lines.push(`complete -c ${c} -n ${fishQuote(`${condition}; and __fish_seen_subcommand_from ${before}`)} -a ${fishQuote(list.join(" "))} -d ${description}`);
      }
      const others = narrowed.map(([before]) => before).join(" ");
      lines.push(`complete -c ${c} -n ${fishQuote(`${condition}; and not __fish_seen_subcommand_from ${others}`)} -a ${fishQuote(p.choices.join(" "))} -d ${description}`);
    });
  }
  return `# fish completion for ${command.name} (nixos-provenance).
# Generated by nixos-provenance from its schema; do not edit. Regenerate with \`npm run generate\`.
${helpers.length ? `${helpers.join("\n")}\n` : ""}${lines.join("\n")}
`;
}

export const emitCompletions: Emitter = (model) =>
  model.commands.flatMap((command): OutputFile[] => [
    { path: `out/share/bash-completion/completions/${command.name}`, content: bash(model, command) },
    { path: `out/share/zsh/site-functions/_${command.name}`, content: zsh(model, command) },
    { path: `out/share/fish/vendor_completions.d/${command.name}.fish`, content: fish(model, command) },
  ]);
