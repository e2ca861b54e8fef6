# A builtins-only stand-in for the few parts of nixpkgs `lib`, `pkgs` and the
# module system that modules/{common,nixos,home-manager}.nix use, so the
# modules can be evaluated offline with `nix-instantiate --eval --strict`.
# It is no module system: option defaults are collected from `options`, the
# caller's settings are laid over them, and `config` is resolved (mkIf, mkMerge,
# mkDefault, mkAfter) into plain values. Types are not checked here; the flake's
# module-eval check does that against real nixpkgs.
{
  module,
  settings ? { },
  base ? { },
  # What the module sees as `options` (only looked at with `?`).
  moduleOptions ? { },
}:
let
  isOption = v: builtins.isAttrs v && (v._type or null) == "option";
  isPlainAttrs = v: builtins.isAttrs v && !(v ? _type) && !(v ? outPath);

  recursiveUpdate =
    lhs: rhs:
    lhs
    // builtins.mapAttrs (
      n: v: if isPlainAttrs v && isPlainAttrs (lhs.${n} or null) then recursiveUpdate lhs.${n} v else v
    ) rhs;

  defaultsOf =
    opts:
    builtins.mapAttrs (
      n: v:
      if isOption v then
        (if v ? default then v.default else null)
      else if isPlainAttrs v then
        defaultsOf v
      else
        v
    ) opts;

  # Definitions merge like the module system's for the types used here:
  # attrsets recursively, lists by concatenation, strings (lines) by joining.
  merge =
    a: b:
    if isPlainAttrs a && isPlainAttrs b then
      a // builtins.mapAttrs (n: v: if a ? ${n} then merge a.${n} v else v) b
    else if builtins.isList a && builtins.isList b then
      a ++ b
    else if builtins.isString a && builtins.isString b then
      a + "\n" + b
    else
      b;

  resolve =
    v:
    let
      t = if builtins.isAttrs v then v._type or null else null;
    in
    if t == "if" then
      (if v.condition then resolve v.content else { })
    else if t == "merge" then
      builtins.foldl' (acc: x: merge acc (resolve x)) { } v.contents
    else if t == "override" || t == "order" then
      resolve v.content
    else if isPlainAttrs v then
      builtins.mapAttrs (n: resolve) v
    else
      v;

  type = name: { _type = "type"; inherit name; };
  types = {
    str = type "str";
    bool = type "bool";
    package = type "package";
    anything = type "anything";
    nullOr = t: type "nullOr";
    attrsOf = t: type "attrsOf";
    listOf = t: type "listOf";
    enum = l: type "enum";
    strMatching = r: type "strMatching";
    submodule = m: type "submodule";
    ints.positive = type "positive";
  };

  lib = {
    inherit types;
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    mkOption = args: args // { _type = "option"; };
    mkEnableOption = name: {
      _type = "option";
      type = types.bool;
      default = false;
      description = "Whether to enable ${name}.";
    };
    mkDefault = content: { _type = "override"; inherit content; };
    mkAfter = content: { _type = "order"; inherit content; };
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    optionalAttrs = c: a: if c then a else { };
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
  };

  fakePackage = useDash: {
    name = "nixos-provenance";
    outPath = if useDash then "/nix/store/stub-nixos-provenance-dash" else "/nix/store/stub-nixos-provenance";
    inherit useDash;
    override = args: fakePackage (args.useDash or useDash);
  };

  pkgs = {
    callPackage = path: args: fakePackage false;
    stdenv.hostPlatform.system = "x86_64-linux";
    writeText = name: text: {
      _stubFile = true;
      inherit name text;
      outPath = "/nix/store/stub-${name}";
    };
    formats.toml = _: {
      generate = name: value: {
        _stubFile = true;
        inherit name value;
        outPath = "/nix/store/stub-${name}";
      };
    };
  };

  # Files written with pkgs.writeText/formats are shown with their contents
  # (builtins.toJSON would print only their path).
  exportable =
    v:
    if builtins.isAttrs v && v ? _stubFile then
      removeAttrs v [ "_stubFile" "outPath" ] // { path = v.outPath; }
    else if isPlainAttrs v then
      builtins.mapAttrs (n: exportable) v
    else if builtins.isList v then
      map exportable v
    else
      v;

  evaluated = import module {
    inherit lib pkgs config;
    options = moduleOptions;
  };
  config = recursiveUpdate (recursiveUpdate base (defaultsOf evaluated.options)) settings;
in
{
  inherit config;
  result = exportable (resolve evaluated.config);
  # Option declarations without their defaults (which may need the real config).
  declared = builtins.mapAttrs (n: v: true) evaluated.options;
}
