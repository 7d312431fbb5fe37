//go:build !unix

package main

// ownCPU is unknown (-1) where getrusage does not exist.
func ownCPU() (user, sys float64) {
	return -1, -1
}
