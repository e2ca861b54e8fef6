# A workstation: status commands under dash (they run in the bar every few seconds).
{ self, inputs, ... }:
{
  networking.hostName = "laptop";
  system.stateVersion = "25.05";
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = {
    device = "/dev/disk/by-label/nixos";
    fsType = "ext4";
  };
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
  };

  system.provenance = {
    enable = true;
    flake = self;
    inherit inputs;
    extraFields.DEPLOY_ENV = "development";
    useDash = true;
  };
}
