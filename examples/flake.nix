# An example fleet: two NixOS hosts and a standalone Home Manager user, all
# recording where each generation came from with nixos-provenance.
#
# The modules come from ./provenance, generated from ./provenance.yaml (which
# adds the DEPLOY_ENV and FLEET_OWNER fields and tracks sops-nix):
#   nix run github:OWNER/nixos-provenance#generator -- --config provenance.yaml --out provenance
# Without a provenance.yaml, drop `module = ...` and the extraFields lines: the
# flake's own modules (nixos-provenance.nixosModules.default) are used.
{
  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    home-manager.url = "github:nix-community/home-manager";
    home-manager.inputs.nixpkgs.follows = "nixpkgs";
    sops-nix.url = "github:Mic92/sops-nix";
    sops-nix.inputs.nixpkgs.follows = "nixpkgs";
    nixos-provenance.url = "github:OWNER/nixos-provenance";
    nixos-provenance.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs =
    {
      self,
      nixpkgs,
      home-manager,
      nixos-provenance,
      ...
    }@inputs:
    {
      # Each host: nixos-provenance.lib.nixosSystem imports the module and
      # passes `self` and `inputs`, so the host file needs only
      #   system.provenance = { enable = true; flake = self; inherit inputs; };
      nixosConfigurations = {
        web-1 = nixos-provenance.lib.nixosSystem {
          inherit self inputs;
          module = ./provenance/modules/nixos.nix;
          system = "x86_64-linux";
          modules = [ ./hosts/web-1.nix ];
        };
        laptop = nixos-provenance.lib.nixosSystem {
          inherit self inputs;
          module = ./provenance/modules/nixos.nix;
          system = "x86_64-linux";
          modules = [ ./hosts/laptop.nix ];
        };
      };

      # A standalone Home Manager user (on any Linux, NixOS or not).
      homeConfigurations.alice = home-manager.lib.homeManagerConfiguration {
        pkgs = nixpkgs.legacyPackages.x86_64-linux;
        extraSpecialArgs = { inherit self inputs; };
        modules = [
          ./provenance/modules/home-manager.nix
          ./home/alice.nix
        ];
      };
    };
}
