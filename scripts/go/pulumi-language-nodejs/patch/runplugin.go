//go:build clusterlab_patch

// Copied by scripts/pulumi-toolchain.sh into its build copy of the v3.68.0 Node.js language
// host, whose own RunPlugin only answers "not supported". Pulumi CLIs of 2024 on start a
// Node.js policy pack (`pulumi preview --policy-pack`) through the language host's RunPlugin;
// this is that call, written for clusterlab: it runs @pulumi/pulumi's run-policy-pack (or
// run-plugin) from the pack's folder with node, and streams its output back to the CLI.
// The build tag keeps the wrapper module from compiling it on its own.

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/encoding/protowire"
)

// programDirectory reads `info.program_directory` (fields 5 and 2), which newer CLIs send in
// place of `program` and which this host's older protocol types keep only as unknown bytes.
func programDirectory(req *pulumirpc.RunPluginRequest) string {
	find := func(b []byte, field protowire.Number) []byte {
		for len(b) > 0 {
			num, typ, n := protowire.ConsumeTag(b)
			if n < 0 {
				return nil
			}
			b = b[n:]
			if typ == protowire.BytesType {
				value, m := protowire.ConsumeBytes(b)
				if m < 0 {
					return nil
				}
				if num == field {
					return value
				}
				b = b[m:]
				continue
			}
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return nil
			}
			b = b[m:]
		}
		return nil
	}
	info := find(req.ProtoReflect().GetUnknown(), 5)
	return string(find(info, 2))
}

type runPluginStream struct {
	server pulumirpc.LanguageRuntime_RunPluginServer
	stderr bool
}

func (w runPluginStream) Write(p []byte) (int, error) {
	data := append([]byte(nil), p...)
	response := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: data}}
	if w.stderr {
		response = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: data}}
	}
	if err := w.server.Send(response); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (host *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	dir := programDirectory(req)
	if dir == "" {
		dir = req.GetProgram()
	}
	if dir == "" {
		dir = req.GetPwd()
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	module, args := "@pulumi/pulumi/cmd/run-plugin", req.GetArgs()
	if _, statErr := os.Stat(filepath.Join(dir, "PulumiPolicy.yaml")); statErr == nil {
		// What the old pulumi-analyzer-policy script ran: the engine address, then the pack's folder.
		module, args = "@pulumi/pulumi/cmd/run-policy-pack", append(append([]string{}, args...), ".")
	}
	resolve := exec.Command(nodeBin, "-e", "process.stdout.write(require.resolve(process.argv[1]))", module)
	resolve.Dir = dir
	script, err := resolve.Output()
	if err != nil {
		return err
	}
	cmd := exec.Command(nodeBin, append([]string{strings.TrimSpace(string(script))}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.Stdout = runPluginStream{server: server}
	cmd.Stderr = runPluginStream{server: server, stderr: true}
	code := 0
	if err := cmd.Run(); err != nil {
		exitErr, ok := err.(*exec.ExitError)
		if !ok {
			return err
		}
		code = exitErr.ExitCode()
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}
