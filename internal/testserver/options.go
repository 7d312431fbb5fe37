package testserver

import (
	"fmt"
	"sort"
	"strings"
)

// Options configure the server started by Start.
type Options struct {
	// Env holds the server's settings as environment variables, for example
	// {"SC_PING_INTERVAL": "200", "SC_ACK_TIMEOUT": "500"}; testdata/server/README.md
	// lists them. SC_PORT picks the first port (default 0: a free one).
	// Variables starting with SC_ in the test's own environment are not passed on,
	// so only these settings reach the server.
	Env map[string]string
}

// envList checks the settings and returns them as sorted KEY=VALUE pairs,
// without SC_PORT, which each launch sets itself.
func (o Options) envList() ([]string, error) {
	keys := make([]string, 0, len(o.Env))
	for k, v := range o.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, fmt.Errorf("invalid environment variable name %q", k)
		}
		if strings.ContainsRune(v, 0) {
			return nil, fmt.Errorf("environment variable %s holds a NUL byte", k)
		}
		if k != portVar {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		env = append(env, k+"="+o.Env[k])
	}
	return env, nil
}

// portVar is the variable that tells server.js which port to listen on.
const portVar = "SC_PORT"
