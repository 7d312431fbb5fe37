package main

import (
	"io"
	"strings"
	"testing"
)

func TestCompareOptions(t *testing.T) {
	o, err := parseOptions([]string{"--go-driver", "x", "--reps", "2", "--quick"}, io.Discard)
	if err != nil || o.Reps != 2 || !o.Quick || o.GoDriver != "x" || o.Budget <= 0 {
		t.Fatalf("parseOptions = %+v, %v", o, err)
	}
	for _, bad := range [][]string{
		{},
		{"--go-driver", "x", "--reps", "0"},
		{"--go-driver", "x", "--budget", "-1s"},
		{"--go-driver", "x", "extra"},
		{"--go-driver", "x", "--nope"},
	} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%q) accepted", bad)
		}
	}
}

func TestCompareOnlySelectsScenarios(t *testing.T) {
	scs, err := selected(options{Only: "rpc-seq, conns-many"})
	if err != nil || len(scs) != 2 || scs[0].Key != "rpc-seq" || scs[1].Key != "conns-many" {
		t.Fatalf("selected = %+v, %v", scs, err)
	}
	if _, err := selected(options{Only: "rpc-seq,warp"}); err == nil || !strings.Contains(err.Error(), "warp") {
		t.Fatalf("unknown key: err = %v", err)
	}
}

func TestCompareRunRejectsBadFlagsWithoutRunning(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"--reps", "3"}, &out, &errb); code != 2 {
		t.Fatalf("run without --go-driver = %d, want 2", code)
	}
	if !strings.Contains(errb.String(), "--go-driver") || out.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q", out.String(), errb.String())
	}
}
