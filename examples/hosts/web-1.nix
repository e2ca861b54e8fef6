# A server: metrics for the fleet's Prometheus, the library at the seed's path
# for old scripts.
{ self, inputs, ... }:
{
  networking.hostName = "web-1";
  system.stateVersion = "25.05";
  boot.loader.grub.device = "/dev/sda";
  fileSystems."/" = {
    device = "/dev/sda1";
    fsType = "ext4";
  };

  system.provenance = {
    enable = true;
    flake = self;
    inherit inputs;
    extraFields.DEPLOY_ENV = "production";
    legacyLibraryPath = true;
    prometheus.enable = true;
  };

  services.prometheus.exporters.node = {
    enable = true;
    # The module adds the textfile collector and its directory.
    openFirewall = true;
  };
}
