//go:build clusterlab_patch

// Copied by scripts/pulumi-toolchain.sh, without the build tag line, into its build copy of the
// kreuzwerker Docker provider as internal/provider/one_shot_clusterlab.go; patch/one-shot-exit-code.diff
// makes resourceDockerContainerCreate return oneShotFailure when a container made with `attach`
// (run to its end before create returns) exits with a code other than 0. Upstream stores the
// exit code and reports success, so a one-shot step that failed (a folder not made, an image
// not copied) would pass unseen and every resource after it would start as if it had worked.

package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

// oneShotFailure is the error of an attached container that exited with a non-zero code: its
// name, the code (and the engine's wait error, if any) and its last log lines.
func oneShotFailure(ctx context.Context, cli *client.Client, id string, exited container.WaitResponse) error {
	reportCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthWaitReportTimeout)
	defer cancel()
	name, tty := id, false
	if infos, err := cli.ContainerInspect(reportCtx, id); err == nil && infos.ContainerJSONBase != nil {
		name = strings.TrimPrefix(infos.Name, "/")
		if infos.Config != nil {
			tty = infos.Config.Tty
		}
	}
	why := ""
	if exited.Error != nil && exited.Error.Message != "" {
		why = fmt.Sprintf(" (%s)", exited.Error.Message)
	}
	return fmt.Errorf("container %q (id %.12s) exited with code %d%s\n  last %d log lines:%s",
		name, id, exited.StatusCode, why, healthWaitLogLines, indentLines(lastLogLines(reportCtx, cli, id, tty)))
}
