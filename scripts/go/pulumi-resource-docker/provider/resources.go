// Package provider maps the kreuzwerker Terraform Docker provider to the Pulumi package that
// @pulumi/docker 5.2.0 expects: its resource and function tokens and its property names.
// Checked against the package's .d.ts files (docs/toolchain.md): every Args, State, output and
// nested type of the resources and functions below matches in name, type and optionality.
package provider

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-providers/terraform-provider-docker/shim"
)

// MatchedVersion is the @pulumi/docker release whose .d.ts files this mapping was checked
// against. scripts/pulumi-toolchain.sh reads the plugin version from here and stamps it into
// Version; a package.json that names @pulumi/docker must name this version.
const MatchedVersion = "5.2.0"

// Version is the plugin's version, set with -ldflags "-X ...provider.Version=<v>".
var Version = "0.0.0-dev"

// autoName makes `name` optional, as in @pulumi/docker, defaulting it to the Pulumi resource
// name plus a random suffix. It also matters for replaces: when the program sets the name, the
// bridge deletes the old object before creating the new one, which Docker needs because names
// are unique (a container or network would fail with "already in use"; a volume would be
// reused and then deleted with the old resource).
func autoName() map[string]*tfbridge.SchemaInfo {
	return map[string]*tfbridge.SchemaInfo{"name": tfbridge.AutoName("name", 255, "-")}
}

// Info is the bridge's description of the provider, shared by the provider binary and tfgen.
func Info() tfbridge.ProviderInfo {
	return tfbridge.ProviderInfo{
		P:           shimv2.NewProvider(shim.New(Version)),
		Name:        "docker",
		Version:     Version,
		GitHubOrg:   "kreuzwerker",
		Description: "Docker resources bridged from the Terraform Docker provider by clusterlab's toolchain.",
		License:     "Apache-2.0",
		Config: map[string]*tfbridge.SchemaInfo{
			"host":          {Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}}},
			"registry_auth": {Name: "registryAuth"}, // the bridge would pluralize it: registryAuths
		},
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container": {Tok: "docker:index/container:Container", Fields: merge(autoName(), map[string]*tfbridge.SchemaInfo{
				"command":           {Name: "command"},          // not commands
				"networks_advanced": {Name: "networksAdvanced"}, // not networksAdvanceds
			})},
			"docker_network":        {Tok: "docker:index/network:Network", Fields: autoName()},
			"docker_volume":         {Tok: "docker:index/volume:Volume", Fields: autoName()},
			"docker_image":          {Tok: "docker:index/remoteImage:RemoteImage"},
			"docker_registry_image": {Tok: "docker:index/registryImage:RegistryImage", Fields: autoName()},
			"docker_tag":            {Tok: "docker:index/tag:Tag"},
			"docker_buildx_builder": {Tok: "docker:index/buildxBuilder:BuildxBuilder", Fields: autoName()},
			"docker_config":         {Tok: "docker:index/serviceConfig:ServiceConfig", Fields: autoName()},
			"docker_plugin":         {Tok: "docker:index/plugin:Plugin", Fields: autoName()},
			"docker_secret":         {Tok: "docker:index/secret:Secret", Fields: autoName()},
			"docker_service":        {Tok: "docker:index/service:Service", Fields: autoName()},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image":                    {Tok: "docker:index/getRemoteImage:getRemoteImage"},
			"docker_logs":                     {Tok: "docker:index/getLogs:getLogs"},
			"docker_network":                  {Tok: "docker:index/getNetwork:getNetwork"},
			"docker_plugin":                   {Tok: "docker:index/getPlugin:getPlugin"},
			"docker_registry_image":           {Tok: "docker:index/getRegistryImage:getRegistryImage"},
			"docker_registry_image_manifests": {Tok: "docker:index/getRegistryImageManifests:getRegistryImageManifests"},
		},
	}
}

func merge(a, b map[string]*tfbridge.SchemaInfo) map[string]*tfbridge.SchemaInfo {
	for k, v := range b {
		a[k] = v
	}
	return a
}
