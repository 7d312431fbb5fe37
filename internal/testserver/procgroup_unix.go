//go:build unix

package testserver

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the server the leader of a new process group, so
// killGroup reaches anything it might start.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// requestStop sends SIGTERM to the server, which closes and exits with 0.
func requestStop(p *process) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
}

// killGroup sends SIGKILL to the server's process group (whose id is the
// server's PID) and to the server itself.
func killGroup(p *process) {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	_ = p.cmd.Process.Kill()
}
