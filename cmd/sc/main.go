// Command sc is a SocketCluster client for the command line: it calls
// procedures, publishes, subscribes, prints socket events, runs an
// interactive session on one socket, and load-tests a server. Run
// "sc help" for the commands; README.md lists the exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/socketcluster-go/scclient/cmd/sc/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx)
	stop()
	os.Exit(code)
}
