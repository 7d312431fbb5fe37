package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socketcluster-go/scclient"
)

type shellFlags struct {
	exitOnError bool
	prompt      string
}

func newShellCmd(e *env, cf *connFlags) *cobra.Command {
	var sf shellFlags
	cmd := &cobra.Command{
		Use:   "shell",
		Short: "Interactive prompt: run commands on one socket, see messages as they arrive",
		Long: `Opens one socket and reads commands from stdin, one per line, printing
results, channel messages, transmits and events as JSON lines on stdout as
they arrive. The prompt and diagnostics go to stderr; the prompt is shown
only when stdin is a terminal, so the shell can also run a script:

  printf 'subscribe news\npublish news "hi"\nwait 1\n' | sc shell

Type "help" at the prompt for the commands.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runShell(cmd.Context(), e, cf, sf)
		},
	}
	cmd.Flags().BoolVarP(&sf.exitOnError, "exit-on-error", "e", false, "stop at the first failing line, exiting with its code")
	cmd.Flags().StringVar(&sf.prompt, "prompt", "sc> ", "prompt shown when stdin is a terminal")
	return cmd
}

func runShell(ctx context.Context, e *env, cf *connFlags, sf shellFlags) error {
	d := e.diag(cf)
	out := newPrinter(e.stdout, 0)
	var sess *session
	_, err := dial(ctx, cf, d, stayConnected, func(sock *scclient.Socket) {
		sess = newSession(sock, out, d, cf.token != "" || cf.tokenFile != "")
	})
	if err != nil {
		if sess != nil {
			sess.close()
		}
		return err
	}
	defer sess.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := &interp{sess: sess, results: out.result}
	hist := &history{limit: 1000}
	interactive := isTerminal(e.stdin)
	lines := readLines(ctx, e.stdin)
	for {
		if interactive {
			fmt.Fprint(e.stderr, sf.prompt)
		}
		var line string
		var ok bool
		select {
		case line, ok = <-lines:
		case err := <-sess.Fatal():
			return err
		case <-ctx.Done():
			return nil
		}
		if !ok {
			return nil
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		line, err := hist.expand(line)
		if err != nil {
			d.errorf("%v", err)
			continue
		}
		hist.add(line)
		word, _ := nextWord(line)
		switch word {
		case "exit", "quit":
			return nil
		case "help":
			shellHelp(e.stderr)
			continue
		case "history":
			hist.print(e.stderr)
			continue
		}
		if err := in.exec(ctx, line); err != nil {
			if sf.exitOnError {
				return err
			}
			d.errorf("%s", err)
		}
	}
}

// readLines delivers stdin's lines on a channel, closed at end of input. The
// reading goroutine ends at end of input or when ctx is done and the next
// line arrives.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 16<<20)
		for sc.Scan() {
			select {
			case ch <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// shellHelp lists the shell's commands.
func shellHelp(w io.Writer) {
	fmt.Fprintln(w, "Commands (DATA is JSON, or sent as a string when it is not valid JSON):")
	for _, name := range shellOrder {
		c := shellCommands[name]
		fmt.Fprintf(w, "  %-38s %s\n", c.usage, c.help)
	}
	fmt.Fprintf(w, "  %-38s %s\n", "history", "list previous lines; !N runs line N again, !! the last one")
	fmt.Fprintf(w, "  %-38s %s\n", "help", "this list")
	fmt.Fprintf(w, "  %-38s %s\n", "exit, quit", "close the socket and leave (so does end of input)")
}
