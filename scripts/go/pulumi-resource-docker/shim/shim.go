// Package shim hands the kreuzwerker Docker provider's SDKv2 provider to the bridge.
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// New returns the provider's SDKv2 half (the framework half is not wired in).
func New(version string) *schema.Provider { return provider.New(version)() }
