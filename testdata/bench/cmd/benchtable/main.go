// Command benchtable reads `go test -bench` output on standard input and
// prints a Markdown table of the median ns/op, B/op and allocs/op of each
// benchmark, with its ratio to a floor benchmark and to a reference
// benchmark ("ours"), both taken at the same GOMAXPROCS.
//
// When the input also has a benchmark named Paired/<name> reporting an
// x-floor metric (the name's time over the floor's, measured alternately
// in one loop so that both see the same machine load), the table adds the
// median of that ratio, and the ratio of two such ratios to ours.
//
//	go test -run '^$' -bench . -count 6 | go run ./cmd/benchtable -floor Verify/floor -ours Verify/fbverify
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// line matches "BenchmarkName-4   1000   1234 ns/op   5.6 unit ...".
var line = regexp.MustCompile(`^Benchmark(\S+?)(?:-(\d+))?\s+\d+\s+([\d.]+) ns/op((?:\s+[\d.e+-]+ \S+)*)`)

type key struct {
	name  string
	procs string
}

// samples are the values of one benchmark's metrics, by unit.
type samples map[string][]float64

func main() {
	floor := flag.String("floor", "", "name of the floor benchmark, without Benchmark and -N")
	ours := flag.String("ours", "", "name of the reference benchmark, without Benchmark and -N")
	flag.Parse()
	if err := run(os.Stdin, os.Stdout, *floor, *ours); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer, floor, ours string) error {
	data := map[key]samples{}
	var order []key
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		k := key{m[1], m[2]}
		s, ok := data[k]
		if !ok {
			s = samples{}
			data[k] = s
			order = append(order, k)
		}
		s["ns/op"] = append(s["ns/op"], parse(m[3]))
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			s[f[i+1]] = append(s[f[i+1]], parse(f[i]))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(order) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	paired := false
	for k := range data {
		if strings.HasPrefix(k.name, "Paired/") {
			paired = true
		}
	}
	header := "| benchmark | procs | runs | ns/op (median) | B/op | allocs/op | × floor | × ours |"
	rule := "|---|---:|---:|---:|---:|---:|---:|---:|"
	if paired {
		header += " × floor (paired) | × ours (paired) |"
		rule += "---:|---:|"
	}
	fmt.Fprintln(out, header)
	fmt.Fprintln(out, rule)
	for _, k := range order {
		if strings.HasPrefix(k.name, "Paired/") {
			continue
		}
		s := data[k]
		ns := median(s["ns/op"])
		fmt.Fprintf(out, "| %s | %s | %d | %s | %s | %s | %s | %s |", k.name, orOne(k.procs), len(s["ns/op"]),
			formatNs(ns), whole(s["B/op"]), whole(s["allocs/op"]),
			ratio(ns, data[key{floor, k.procs}]), ratio(ns, data[key{ours, k.procs}]))
		if paired {
			mine := pairedRatio(data, k.name, floor, k.procs)
			theirs := pairedRatio(data, ours, floor, k.procs)
			fmt.Fprintf(out, " %s | %s |", format2(mine), format2(mine/theirs))
		}
		fmt.Fprintln(out)
	}
	return nil
}

// pairedRatio is the median x-floor of Paired/<name>: 1 for the floor
// itself, NaN when there is none.
func pairedRatio(data map[key]samples, name, floor, procs string) float64 {
	if name == floor {
		return 1
	}
	s, ok := data[key{"Paired/" + name, procs}]
	if !ok || len(s["x-floor"]) == 0 {
		return nan()
	}
	return median(s["x-floor"])
}

func parse(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nan()
	}
	return f
}

func nan() float64 { return math.NaN() }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return nan()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ratio(ns float64, base samples) string {
	if base == nil {
		return "–"
	}
	return format2(ns / median(base["ns/op"]))
}

func format2(x float64) string {
	if x != x {
		return "–"
	}
	return fmt.Sprintf("%.2f", x)
}

func whole(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f", median(xs))
}

func formatNs(ns float64) string {
	if ns >= 100 {
		return strconv.FormatFloat(ns, 'f', 0, 64)
	}
	return strconv.FormatFloat(ns, 'f', 1, 64)
}

func orOne(s string) string {
	if s == "" {
		return "1"
	}
	return s
}
