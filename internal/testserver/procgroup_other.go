//go:build !unix

package testserver

import "os/exec"

// setProcessGroup does nothing where process groups are not available.
func setProcessGroup(cmd *exec.Cmd) {}

// requestStop closes the server's stdin; server.js, started with
// SC_EXIT_ON_STDIN_CLOSE=1, then closes and exits with 0.
func requestStop(p *process) {
	_ = p.stdin.Close()
}

// killGroup kills the server process.
func killGroup(p *process) {
	_ = p.cmd.Process.Kill()
}
