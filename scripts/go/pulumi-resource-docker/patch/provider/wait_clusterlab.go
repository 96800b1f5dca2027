//go:build clusterlab_patch

// Copied by scripts/pulumi-toolchain.sh, without the build tag line, into its build copy of the
// kreuzwerker Docker provider as internal/provider/wait_clusterlab.go; patch/container-wait.diff
// makes resourceDockerContainerCreate call waitForHealthyContainer for `wait` instead of its own
// loop. That loop polled until wait_timeout even when the container had exited or Docker had
// reported it unhealthy, kept a goroutine polling after the timeout (and looping on an inspect
// error), and said only "container failed to be in healthy state". The build tag keeps the
// wrapper module from compiling this file on its own (docs/toolchain.md).

package provider

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

const (
	// How often the container is inspected while it starts: an inspect is a cheap call to the
	// engine, and upstream's once a second made every role in a chain of dependencies up to a
	// second late.
	healthWaitPollInterval = 250 * time.Millisecond
	// How many of the container's last log lines a failure shows.
	healthWaitLogLines = 20
	// How long gathering a failure's report may take, also once the wait's deadline has passed.
	healthWaitReportTimeout = 10 * time.Second
)

// waitForHealthyContainer returns nil once Docker reports the container healthy. It fails at
// once when Docker reports it unhealthy or it is neither running nor restarting (it exited and
// is not restarted), and when timeout passes (or ctx ends) first. Those errors begin with
// upstream's "container failed to be in healthy state", name the container and give its state,
// the output of its last healthcheck and its last log lines. A container without a healthcheck
// and an inspect error fail as upstream's do. No goroutine: nothing polls after it returns.
func waitForHealthyContainer(ctx context.Context, cli *client.Client, id string, timeout time.Duration) error {
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-waitCtx.Done():
			why := fmt.Sprintf(" within wait_timeout (%ds)", int(timeout/time.Second))
			if ctx.Err() != nil {
				why = fmt.Sprintf(" before the wait was cancelled (%v)", context.Cause(ctx))
			}
			log.Printf("[ERROR] Container %s failed to be in healthy state in time", id)
			return healthWaitFailure(ctx, cli, id, why, "is not healthy yet", nil)
		case <-poll.C:
		}
		infos, err := cli.ContainerInspect(waitCtx, id)
		if err != nil {
			if waitCtx.Err() != nil {
				continue // the deadline: the select above reports it
			}
			return fmt.Errorf("error inspecting container state: %s", err)
		}
		if infos.ContainerJSONBase == nil || infos.State == nil || infos.State.Health == nil {
			return fmt.Errorf("you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute")
		}
		state := infos.State
		switch {
		case state.Health.Status == container.Healthy:
			log.Printf("[DEBUG] container state is healthy")
			return nil
		case state.Status != container.StateRunning && state.Status != container.StateRestarting:
			log.Printf("[ERROR] Container %s is %s, not running or restarting", id, state.Status)
			return healthWaitFailure(ctx, cli, id, "", fmt.Sprintf("is %s, neither running nor restarting", state.Status), &infos)
		case state.Health.Status == container.Unhealthy:
			log.Printf("[ERROR] Container %s is unhealthy", id)
			return healthWaitFailure(ctx, cli, id, "", "is unhealthy", &infos)
		}
		log.Printf("[DEBUG] waiting for container healthy state")
		poll.Reset(healthWaitPollInterval)
	}
}

// healthWaitFailure builds a failed wait's error: the reason, then the container's state (as
// infos has it, or inspected anew when infos is nil), its last healthcheck run and its last log
// lines, each as far as the engine still answers.
func healthWaitFailure(ctx context.Context, cli *client.Client, id, when, reason string, infos *container.InspectResponse) error {
	reportCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), healthWaitReportTimeout)
	defer cancel()
	var report strings.Builder
	if infos == nil {
		fresh, err := cli.ContainerInspect(reportCtx, id)
		if err != nil {
			fmt.Fprintf(&report, "\n  state: unknown (%v)", err)
		} else {
			infos = &fresh
		}
	}
	name, tty := id, false
	if infos != nil && infos.ContainerJSONBase != nil {
		name = strings.TrimPrefix(infos.Name, "/")
		if infos.Config != nil {
			tty = infos.Config.Tty
		}
		if state := infos.State; state != nil {
			health := container.NoHealthcheck
			if state.Health != nil {
				health = fmt.Sprintf("%s (%d failed in a row)", state.Health.Status, state.Health.FailingStreak)
			}
			fmt.Fprintf(&report, "\n  state: status %s, exit code %d, restart count %d, health %s", state.Status, state.ExitCode, infos.RestartCount, health)
			if state.OOMKilled {
				report.WriteString(", OOM killed")
			}
			if state.Error != "" {
				fmt.Fprintf(&report, ", error %q", state.Error)
			}
			report.WriteString("\n  last healthcheck: ")
			if state.Health == nil || len(state.Health.Log) == 0 {
				report.WriteString("none run yet")
			} else {
				last := state.Health.Log[len(state.Health.Log)-1]
				fmt.Fprintf(&report, "exit code %d at %s, output:%s", last.ExitCode, last.End.UTC().Format(time.RFC3339), indentLines(last.Output))
			}
		}
	}
	fmt.Fprintf(&report, "\n  last %d log lines:%s", healthWaitLogLines, indentLines(lastLogLines(reportCtx, cli, id, tty)))
	return fmt.Errorf("%w%s: container %q (id %.12s) %s%s", errContainerFailedToBeInHealthyState, when, name, id, reason, report.String())
}

// lastLogLines returns the container's last healthWaitLogLines log lines, stdout and stderr
// demultiplexed as copyContainerLogs does, or why they could not be read.
func lastLogLines(ctx context.Context, cli *client.Client, id string, tty bool) string {
	reader, err := cli.ContainerLogs(ctx, id, container.LogsOptions{
		ShowStdout: true,
		ShowStderr: true,
		Tail:       strconv.Itoa(healthWaitLogLines),
	})
	if err != nil {
		return fmt.Sprintf("(unavailable: %v)", err)
	}
	defer reader.Close() //nolint:errcheck
	var logs bytes.Buffer
	if err := copyContainerLogs(&logs, reader, tty); err != nil {
		return fmt.Sprintf("%s\n(incomplete: %v)", logs.String(), err)
	}
	return logs.String()
}

// indentLines puts text on lines of its own, indented under a report's heading; "(none)" if empty.
func indentLines(text string) string {
	text = strings.TrimRight(text, "\r\n\t ")
	if text == "" {
		return " (none)"
	}
	return "\n    " + strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\n    ")
}
