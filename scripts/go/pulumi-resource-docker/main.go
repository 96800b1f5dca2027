// pulumi-resource-docker: the Terraform Docker provider (kreuzwerker) bridged to Pulumi with
// the resource tokens and property names of @pulumi/docker 5.2.0. Built by
// scripts/pulumi-toolchain.sh; see docs/toolchain.md.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"clusterlab/toolchain/pulumi-resource-docker/provider"
)

// The schema written by pulumi-tfgen-docker. It is generated into the toolchain cache, never
// into the checkout: the build maps this file name to it with `go build -overlay`.
//
//go:embed schema.json
var schema []byte

func main() { tfbridge.Main("docker", provider.Version, provider.Info(), schema) }
