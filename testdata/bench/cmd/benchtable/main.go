// Command benchtable reads `go test -bench` output on standard input and
// prints a Markdown table of the median ns/op, B/op and allocs/op of each
// benchmark, with its ratio to a floor benchmark and to a reference
// benchmark (both taken at the same GOMAXPROCS).
//
//	go test -run xxx -bench . -count 6 | go run ./cmd/benchtable -floor Verify/floor -ours Verify/fbverify
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// line matches "BenchmarkName-4   1000   1234 ns/op   56 B/op   7 allocs/op".
var line = regexp.MustCompile(`^Benchmark(\S+?)(?:-(\d+))?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?(?:\s+([\d.]+) allocs/op)?`)

type key struct {
	name  string
	procs string
}

type samples struct{ ns, bytes, allocs []float64 }

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
	data := map[key]*samples{}
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
			s = &samples{}
			data[k] = s
			order = append(order, k)
		}
		s.ns = append(s.ns, parse(m[3]))
		s.bytes = append(s.bytes, parse(m[4]))
		s.allocs = append(s.allocs, parse(m[5]))
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(order) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	fmt.Fprintln(out, "| benchmark | procs | runs | ns/op (median) | B/op | allocs/op | × floor | × ours |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range order {
		s := data[k]
		ns := median(s.ns)
		fmt.Fprintf(out, "| %s | %s | %d | %s | %.0f | %.0f | %s | %s |\n", k.name, orDash(k.procs), len(s.ns),
			formatNs(ns), median(s.bytes), median(s.allocs), ratio(ns, data[key{floor, k.procs}]), ratio(ns, data[key{ours, k.procs}]))
	}
	return nil
}

func parse(s string) float64 {
	if s == "" {
		return 0
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ratio(ns float64, base *samples) string {
	if base == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f", ns/median(base.ns))
}

func formatNs(ns float64) string {
	if ns >= 100 {
		return strconv.FormatFloat(ns, 'f', 0, 64)
	}
	return strings.TrimRight(strconv.FormatFloat(ns, 'f', 1, 64), ".")
}

func orDash(s string) string {
	if s == "" {
		return "1"
	}
	return s
}
