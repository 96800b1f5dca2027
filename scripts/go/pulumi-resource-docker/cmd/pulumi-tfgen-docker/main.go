// pulumi-tfgen-docker writes the Pulumi schema of the bridged Docker provider:
// `pulumi-tfgen-docker schema --skip-docs --out <dir>` (scripts/pulumi-toolchain.sh runs it).
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"clusterlab/toolchain/pulumi-resource-docker/provider"
)

func main() { tfgen.Main("docker", provider.Version, provider.Info()) }
