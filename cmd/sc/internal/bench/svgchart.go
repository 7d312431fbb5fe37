package bench

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// chart is a line chart drawn as inline SVG, so a report needs no script
// and no network.
type chart struct {
	title, xLabel, yLabel string
	logY                  bool
	xTicks                []tick // fixed x ticks; nil for automatic ones
	series                []series
}

type series struct {
	name, color string
	pts         []xy
}

type xy struct{ x, y float64 }

type tick struct {
	v     float64
	label string
}

const (
	chartW, chartH         = 760, 310
	padL, padR, padT, padB = 70, 20, 44, 44
)

// svg renders the chart.
func (c chart) svg() string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`,
		chartW, chartH, chartW, chartH, html.EscapeString(c.title))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, chartW, chartH)
	fmt.Fprintf(&b, `<text x="%d" y="20" class="t">%s</text>`, padL, html.EscapeString(c.title))
	x0, x1, y0, y1, ok := c.bounds()
	if !ok {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="l">no data</text></svg>`, chartW/2-30, chartH/2)
		return b.String()
	}
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	px := func(x float64) float64 { return padL + (x-x0)/(x1-x0)*pw }
	py := func(y float64) float64 {
		if c.logY {
			y = math.Log10(math.Max(y, math.Pow(10, y0)))
		}
		return padT + ph - (y-y0)/(y1-y0)*ph
	}
	// Grid and axes.
	for _, t := range c.yTickList(y0, y1) {
		y := padT + ph - (t.v-y0)/(y1-y0)*ph
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="g"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="l" text-anchor="end">%s</text>`, padL-6, y+4, html.EscapeString(t.label))
	}
	for _, t := range c.xTickList(x0, x1) {
		x := px(t.v)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="g"/>`, x, padT, x, chartH-padB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="l" text-anchor="middle">%s</text>`, x, chartH-padB+16, html.EscapeString(t.label))
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" class="f"/>`, padL, padT, pw, ph)
	fmt.Fprintf(&b, `<text x="%.0f" y="%d" class="l" text-anchor="middle">%s</text>`, padL+pw/2, chartH-6, html.EscapeString(c.xLabel))
	fmt.Fprintf(&b, `<text x="14" y="%.0f" class="l" text-anchor="middle" transform="rotate(-90 14 %.0f)">%s</text>`,
		padT+ph/2, padT+ph/2, html.EscapeString(c.yLabel))
	// Lines and legend.
	for i, s := range c.series {
		if len(s.pts) == 0 {
			continue
		}
		var d strings.Builder
		pen := 'M'
		for _, p := range s.pts {
			if c.logY && p.y <= 0 { // no place on a log axis: leave a gap
				pen = 'M'
				continue
			}
			fmt.Fprintf(&d, "%c%.1f %.1f", pen, px(p.x), py(p.y))
			pen = 'L'
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.8"/>`, d.String(), s.color)
		if len(s.pts) == 1 {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, px(s.pts[0].x), py(s.pts[0].y), s.color)
		}
		lx := padL + 110*i
		fmt.Fprintf(&b, `<rect x="%d" y="29" width="12" height="4" fill="%s"/><text x="%d" y="35" class="l">%s</text>`,
			lx, s.color, lx+16, html.EscapeString(s.name))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// bounds returns the x range and the y range (in log10 units for a log
// axis), padded to round values.
func (c chart) bounds() (x0, x1, y0, y1 float64, ok bool) {
	x0, x1 = math.Inf(1), math.Inf(-1)
	y0, y1 = math.Inf(1), math.Inf(-1)
	for _, s := range c.series {
		for _, p := range s.pts {
			y := p.y
			if c.logY {
				if y <= 0 {
					continue
				}
				y = math.Log10(y)
			}
			x0, x1 = math.Min(x0, p.x), math.Max(x1, p.x)
			y0, y1 = math.Min(y0, y), math.Max(y1, y)
			ok = true
		}
	}
	if !ok {
		return 0, 0, 0, 0, false
	}
	for _, t := range c.xTicks {
		x0, x1 = math.Min(x0, t.v), math.Max(x1, t.v)
	}
	if x1 == x0 {
		x1 = x0 + 1
	}
	if c.logY {
		y0, y1 = math.Floor(y0), math.Ceil(y1)
		if y1 == y0 {
			y1 = y0 + 1
		}
		return x0, x1, y0, y1, true
	}
	y0 = 0
	y1 = niceCeil(y1)
	if y1 <= 0 {
		y1 = 1
	}
	return x0, x1, y0, y1, true
}

func (c chart) yTickList(y0, y1 float64) []tick {
	var ts []tick
	if c.logY {
		for e := y0; e <= y1+1e-9; e++ {
			ts = append(ts, tick{e, numLabel(math.Pow(10, e))})
		}
		return ts
	}
	for i := 0; i <= 5; i++ {
		v := y0 + (y1-y0)*float64(i)/5
		ts = append(ts, tick{v, numLabel(v)})
	}
	return ts
}

func (c chart) xTickList(x0, x1 float64) []tick {
	if c.xTicks != nil {
		return c.xTicks
	}
	step := niceCeil((x1 - x0) / 8)
	var ts []tick
	for v := math.Ceil(x0/step) * step; v <= x1+1e-9; v += step {
		ts = append(ts, tick{v, numLabel(v)})
	}
	return ts
}

// niceCeil rounds v up to a round multiple of a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// numLabel formats an axis value briefly.
func numLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return fmt.Sprintf("%gM", math.Round(v/1e5)/10)
	case a >= 1e4:
		return fmt.Sprintf("%gk", math.Round(v/100)/10)
	case a >= 1 || a == 0:
		return fmt.Sprintf("%g", math.Round(v*100)/100)
	}
	return fmt.Sprintf("%g", v)
}
