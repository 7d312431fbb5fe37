//go:build linux

package scclient

import (
	"strconv"
	"strings"
	"syscall"
)

// setRcvLowat sets the socket's receive low-water mark: reads and the
// poller see it readable only once n bytes are there.
func setRcvLowat(fd uintptr, n int) error {
	return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT, n)
}

// rcvLowatWakes reports whether this kernel wakes a waiting reader when the
// low-water mark is lowered below what is buffered, which the bound on a
// coalesced wait depends on (Linux 4.18 and later).
var rcvLowatWakes = kernelAtLeast(4, 18)

// kernelAtLeast reports whether the running kernel's release is at least
// major.minor.
func kernelAtLeast(major, minor int) bool {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return false
	}
	var b strings.Builder
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return releaseAtLeast(b.String(), major, minor)
}

// releaseAtLeast compares a kernel release such as "6.1.0-18-amd64" with
// major.minor; a release it cannot read counts as older.
func releaseAtLeast(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return false
	}
	maj, err := strconv.Atoi(parts[0])
	if err != nil {
		return false
	}
	digits := parts[1]
	if i := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = digits[:i]
	}
	mnr, err := strconv.Atoi(digits)
	if err != nil {
		return false
	}
	return maj > major || maj == major && mnr >= minor
}
