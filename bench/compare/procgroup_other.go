//go:build !unix

package main

import (
	"errors"
	"os/exec"
)

func setProcessGroup(*exec.Cmd) {}

func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}

func raiseFileLimit() (uint64, error) {
	return 0, errors.New("open-file limits are only handled on Unix")
}
