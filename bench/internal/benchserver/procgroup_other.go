//go:build !unix

package benchserver

import "os/exec"

func setProcessGroup(*exec.Cmd) {}

func requestStop(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
