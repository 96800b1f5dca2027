//go:build clusterlab_patch

// Copied by scripts/pulumi-toolchain.sh into its build copy of Pulumi's terraform-plugin-sdk
// fork (helper/schema). terraform-plugin-go v0.31, which the Docker provider needs, added
// GenerateResourceConfig to its ProviderServer interface; the fork predates it. The bridge
// never calls it (only Terraform's config generation does), so an empty answer is enough.
// The build tag keeps the wrapper module from compiling it on its own.

package schema

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
)

// GenerateResourceConfig answers with no config and no diagnostics.
func (s *GRPCProviderServer) GenerateResourceConfig(context.Context, *tfprotov5.GenerateResourceConfigRequest) (*tfprotov5.GenerateResourceConfigResponse, error) {
	return &tfprotov5.GenerateResourceConfigResponse{}, nil
}
