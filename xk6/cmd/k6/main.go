// Command k6 is a k6 binary with the k6/x/socketcluster extension built in.
package main

import (
	k6cmd "go.k6.io/k6/cmd"

	_ "github.com/socketcluster-go/scclient/xk6"
)

func main() {
	k6cmd.Execute()
}
