package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/socketcluster-go/scclient/bench/internal/benchserver"
)

// testRunner returns a runner for the module's bench server with a short
// kill grace.
func testRunner(t *testing.T) runner {
	t.Helper()
	root, err := benchserver.ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return runner{
		serverDir: filepath.Join(root, "bench", "server"),
		serverEnv: benchserver.ModuleEnv(root),
		grace:     500 * time.Millisecond,
	}
}

// scriptDriver writes a shell script standing in for a driver.
func scriptDriver(t *testing.T, body string) driver {
	t.Helper()
	path := filepath.Join(t.TempDir(), "driver.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return driver{Name: "fake", Command: []string{"/bin/sh", path}}
}

var rpcSeq = scenario{Key: "rpc-seq", Args: []string{"--scenario", "rpc-seq", "--n", "10"}, TimeoutS: 5}

func TestCompareRunnerGivesTheDriverAFreshServer(t *testing.T) {
	argsFile := filepath.Join(t.TempDir(), "args")
	d := scriptDriver(t, `printf '%s\n' "$@" > '`+argsFile+`'
echo 'progress on stdout is ignored'
echo '{"driver":"fake","scenario":"rpc-seq","ok":true,"error":"","cpu_s":0.25,"lat_us":{"p50":80,"p90":1,"p99":2,"max":3}}'`)
	o := testRunner(t).once(context.Background(), d, rpcSeq, 2, 5)
	if o.Err != nil {
		t.Fatalf("run failed: %v", o.Err)
	}
	if o.Result.CPUS == nil || *o.Result.CPUS != 0.25 || o.Result.Lat == nil || o.Result.Lat.P50 != 80 {
		t.Fatalf("result not parsed: %+v", o.Result)
	}
	b, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(strings.Fields(string(b)), " ")
	for _, re := range []string{
		`^--scenario rpc-seq --n 10 `,
		`--url ws://127\.0\.0\.1:\d+/socketcluster/`,
		`--server-pid \d+`,
		`--timeout-s 5`,
		`--label rpc-seq#2$`,
	} {
		if !regexp.MustCompile(re).MatchString(args) {
			t.Errorf("driver arguments %q do not match %s", args, re)
		}
	}
}

func TestCompareRunnerKillsAHungDriver(t *testing.T) {
	d := scriptDriver(t, "sleep 30")
	start := time.Now()
	o := testRunner(t).once(context.Background(), d, rpcSeq, 1, 1)
	if o.Err == nil || !strings.Contains(o.Err.Error(), "killed after") {
		t.Fatalf("err = %v, want a kill", o.Err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Fatalf("the hung driver held the run for %v", took)
	}
}

func TestCompareRunnerReportsDriverFailures(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"failed run": {`echo '{"ok":false,"error":"boom"}'; exit 1`, "boom"},
		"no JSON":    {`echo 'no json here'`, "no JSON line"},
		"bad exit":   {`echo '{"ok":true}'; exit 4`, "exit status 4"},
	}
	rn := testRunner(t)
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			o := rn.once(context.Background(), scriptDriver(t, c.body), rpcSeq, 1, 5)
			if o.Err == nil || !strings.Contains(o.Err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", o.Err, c.want)
			}
		})
	}
}

func TestCompareRunnerReportsAServerThatCannotStart(t *testing.T) {
	rn := runner{serverDir: t.TempDir(), grace: time.Second}
	o := rn.once(context.Background(), scriptDriver(t, "true"), rpcSeq, 1, 5)
	if o.Err == nil || !strings.Contains(o.Err.Error(), "server.js") {
		t.Fatalf("err = %v, want the missing server.js", o.Err)
	}
}

func TestCompareParseResult(t *testing.T) {
	r, line, err := parseResult([]byte("starting\n{\"ok\":true,\"cpu_s\":1.5}\n\n"))
	if err != nil || !r.OK || r.CPUS == nil || *r.CPUS != 1.5 || string(line) != `{"ok":true,"cpu_s":1.5}` {
		t.Fatalf("parseResult = %+v, %q, %v", r, line, err)
	}
	if _, _, err := parseResult([]byte(`{"ok":tru`)); err == nil || !strings.Contains(err.Error(), "driver output") {
		t.Fatalf("truncated JSON: err = %v", err)
	}
	if _, _, err := parseResult(nil); err == nil {
		t.Fatal("empty output accepted")
	}
}
