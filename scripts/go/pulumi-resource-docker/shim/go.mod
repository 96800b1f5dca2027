// The provider's SDKv2 half sits in an internal package, which Go lets only paths under
// github.com/terraform-providers/terraform-provider-docker/ import. This nested module has such
// a path, so it can; the wrapper's go.mod points at it with a replace (docs/toolchain.md).
module github.com/terraform-providers/terraform-provider-docker/shim

go 1.26
