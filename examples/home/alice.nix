# alice's Home Manager: each generation records the commit it came from; the
# bar and the prompts warn when the system or Home Manager is out of sync.
{ self, inputs, ... }:
{
  home.username = "alice";
  home.homeDirectory = "/home/alice";
  home.stateVersion = "25.05";

  home.provenance = {
    enable = true;
    flake = self;
    inherit inputs;
    extraFields.DEPLOY_ENV = "development";
    useDash = true;
    bars.waybar = {
      enable = true;
      bar = "mainBar";
    };
    prompt = {
      mode = "warning";
      bash.enable = true;
      starship.enable = true;
    };
  };

  programs.bash.enable = true;
  programs.starship.enable = true;
  programs.waybar = {
    enable = true;
    settings.mainBar.modules-right = [ "custom/nixos-provenance" "clock" ];
  };
}
