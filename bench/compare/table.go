package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// verdict compares a ratio with its target.
func verdict(ratio, target float64) string {
	if ratio <= target {
		return "PASS"
	}
	return "FAIL"
}

// num formats a figure with three significant digits (no exponent).
func num(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	digits := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// figureRow is one line of the main table.
type figureRow struct {
	Figure  figure
	JS, Go  float64
	NJS, NG int
	OK      bool
	Note    string
}

// ratio is scclient ÷ JS.
func (r figureRow) ratio() float64 { return r.Go / r.JS }

// writeFigures prints the main table: medians, ratio, target, verdict.
func writeFigures(w io.Writer, rows []figureRow, reps int) {
	fmt.Fprintln(w, "| figure (median of runs) | JS | scclient | ratio scclient/JS | target | result | note |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|:---:|---|")
	for _, r := range rows {
		target := "≤ " + num(r.Figure.Target)
		if !r.OK || r.JS <= 0 {
			fmt.Fprintf(w, "| %s | %s | %s | n/a | %s | NO DATA | %s |\n", r.Figure.Name,
				valueOrDash(r.OK && r.NJS > 0, r.JS, r.Figure.Unit, r.NJS, reps),
				valueOrDash(r.OK && r.NG > 0, r.Go, r.Figure.Unit, r.NG, reps), target, r.Note)
			continue
		}
		ratio := r.ratio()
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", r.Figure.Name,
			valueOrDash(true, r.JS, r.Figure.Unit, r.NJS, reps), valueOrDash(true, r.Go, r.Figure.Unit, r.NG, reps),
			num(ratio), target, verdict(ratio, r.Figure.Target), r.Note)
	}
}

// valueOrDash formats a median with its unit, noting how many runs it
// came from when that is not the planned number reps.
func valueOrDash(ok bool, v float64, unit string, n, reps int) string {
	if !ok {
		return "—"
	}
	s := num(v) + " " + unit
	if n > 0 && n != reps {
		s += fmt.Sprintf(" (n=%d)", n)
	}
	return s
}

// contextRow describes one scenario per driver: rate and CPU shares.
type contextRow struct {
	Scenario string
	Unit     string
	Cells    map[string]contextCell
}

// contextCell holds one driver's medians for one scenario.
type contextCell struct {
	Rate, ClientUtil, ServerUtil float64
	HasRate, HasClient, HasSrv   bool
	OK, Runs                     int
}

// writeContext prints rates and CPU utilisation per scenario and driver.
func writeContext(w io.Writer, rows []contextRow, drivers []string) {
	head := []string{"scenario"}
	for _, d := range drivers {
		head = append(head, d+" rate", d+" client CPU util", d+" server CPU util", d+" ok runs")
	}
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
	for _, r := range rows {
		cells := []string{r.Scenario}
		for _, d := range drivers {
			c := r.Cells[d]
			cells = append(cells,
				opt(c.HasRate, num(c.Rate)+" "+r.Unit),
				opt(c.HasClient, fmt.Sprintf("%.2f", c.ClientUtil)),
				opt(c.HasSrv, fmt.Sprintf("%.2f", c.ServerUtil)),
				fmt.Sprintf("%d/%d", c.OK, c.Runs))
		}
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
}

func opt(ok bool, s string) string {
	if !ok {
		return "—"
	}
	return s
}
