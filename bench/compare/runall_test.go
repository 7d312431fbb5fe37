package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

var twoDrivers = []driver{{Name: "js"}, {Name: "scclient"}}

func TestCompareRunAllInterleavesAndRoundRobins(t *testing.T) {
	var got []string
	once := func(_ context.Context, d driver, sc scenario, rep int, timeoutS int) outcome {
		if timeoutS != sc.TimeoutS {
			t.Errorf("%s: timeout %d, want the scenario's %d", sc.Key, timeoutS, sc.TimeoutS)
		}
		got = append(got, sc.Key+string(rune('0'+rep))+" "+d.Name)
		return outcome{Driver: d.Name, Scenario: sc.Key, Rep: rep}
	}
	scs := []scenario{{Key: "a", TimeoutS: 10}, {Key: "b", TimeoutS: 30}}
	outs := runAll(context.Background(), options{Reps: 2, Budget: time.Minute}, time.Second, once, scs, twoDrivers, io.Discard)
	want := "a1 scclient,a1 js,b1 scclient,b1 js,a2 js,a2 scclient,b2 js,b2 scclient"
	if strings.Join(got, ",") != want {
		t.Fatalf("run order %v, want %s", got, want)
	}
	if len(outs) != 8 {
		t.Fatalf("%d outcomes, want 8", len(outs))
	}
}

func TestCompareRunAllFitsRunsIntoTheBudget(t *testing.T) {
	var timeouts []int
	once := func(_ context.Context, d driver, sc scenario, rep int, timeoutS int) outcome {
		timeouts = append(timeouts, timeoutS)
		return outcome{Driver: d.Name, Scenario: sc.Key, Rep: rep}
	}
	// 40 s of budget with 20 s of grace leaves runs of at most 20 s; the
	// runs are instant here, so every one gets about that much.
	scs := []scenario{{Key: "long", TimeoutS: 90}}
	outs := runAll(context.Background(), options{Reps: 1, Budget: 40 * time.Second}, 20*time.Second, once, scs, twoDrivers, io.Discard)
	if len(outs) != 2 || len(timeouts) != 2 {
		t.Fatalf("%d outcomes, %d runs; want 2 and 2", len(outs), len(timeouts))
	}
	for _, to := range timeouts {
		if to < 15 || to > 20 {
			t.Fatalf("run timeouts %v, want them cut to about 20 s", timeouts)
		}
	}
}

func TestCompareRunAllStopsWhenTheBudgetIsSpent(t *testing.T) {
	once := func(context.Context, driver, scenario, int, int) outcome {
		t.Fatal("a run was started without the time to finish it")
		return outcome{}
	}
	outs := runAll(context.Background(), options{Reps: 3, Budget: 25 * time.Second}, killGrace, once, plan(true), twoDrivers, io.Discard)
	if len(outs) != 3*7*2 {
		t.Fatalf("%d outcomes, want 42", len(outs))
	}
	for _, oc := range outs {
		if oc.Err == nil || !strings.Contains(oc.Err.Error(), "not run") {
			t.Fatalf("%s rep %d %s: err %v, want not run", oc.Scenario, oc.Rep, oc.Driver, oc.Err)
		}
	}
}

func TestCompareRunAllStopsOnInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	once := func(_ context.Context, d driver, sc scenario, rep int, _ int) outcome {
		runs++
		cancel()
		return outcome{Driver: d.Name, Scenario: sc.Key, Rep: rep}
	}
	outs := runAll(ctx, options{Reps: 2, Budget: time.Minute}, time.Second, once, plan(true), twoDrivers, io.Discard)
	if runs != 1 || len(outs) != 2*7*2 {
		t.Fatalf("%d runs, %d outcomes; want 1 and 28", runs, len(outs))
	}
}
