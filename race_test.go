//go:build race

package scclient

// stackScale is how much larger stacks are under the race detector, whose
// instrumentation grows every frame.
const stackScale = 2
