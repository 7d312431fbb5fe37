package main

import "strconv"

// scenario is one row group of the comparison: a driver scenario with its
// parameters, run by both drivers.
type scenario struct {
	// Key names the scenario in the figures ("sub-recv-1k").
	Key string
	// Args are the driver flags other than --url, --server-pid and --label.
	Args []string
	// TimeoutS is the driver's own --timeout-s; compare kills it 20 s later.
	TimeoutS int
	// K is the number of sockets of a conns scenario (0 otherwise).
	K int
}

// plan lists the scenarios of one comparison. Quick uses smaller counts,
// for trying the rig out.
func plan(quick bool) []scenario {
	scale := func(full, small int) string {
		if quick {
			return strconv.Itoa(small)
		}
		return strconv.Itoa(full)
	}
	settle := scale(2000, 500)
	few, many := 1000, 5000
	if quick {
		few, many = 200, 1000
	}
	return []scenario{
		{Key: "rpc-seq", Args: []string{"--scenario", "rpc-seq", "--n", scale(20000, 2000)}, TimeoutS: 60},
		{Key: "rpc-par", Args: []string{"--scenario", "rpc-par", "--n", scale(20000, 2000), "--c", "64"}, TimeoutS: 60},
		{Key: "sub-recv-64", Args: []string{"--scenario", "sub-recv", "--m", scale(200000, 20000), "--size", "64"}, TimeoutS: 60},
		{Key: "sub-recv-1k", Args: []string{"--scenario", "sub-recv", "--m", scale(100000, 20000), "--size", "1024"}, TimeoutS: 90},
		{Key: "evt-recv-64", Args: []string{"--scenario", "evt-recv", "--m", scale(200000, 20000), "--size", "64"}, TimeoutS: 60},
		{Key: "conns-few", Args: []string{"--scenario", "conns", "--k", strconv.Itoa(few), "--c", "64", "--settle-ms", settle}, TimeoutS: 60, K: few},
		{Key: "conns-many", Args: []string{"--scenario", "conns", "--k", strconv.Itoa(many), "--c", "64", "--settle-ms", settle}, TimeoutS: 90, K: many},
	}
}
