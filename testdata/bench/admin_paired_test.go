package bench

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkPairedAdmin pairs fbverify with the Admin SDK directly: every
// iteration runs one Admin SDK verification and one fbverify verification
// of the same token (in turns, one first and then the other), each timed
// alone, and the ratio is of
// the medians of those single-operation times (a median leaves out the
// iterations in which another process held the CPU). speedup is the Admin
// SDK's median over fbverify's; ns/op counts both operations.
//
// It is a gate: on a run of at least minAdminIterations iterations, a
// speedup below minAdminSpeedup fails the benchmark. Run it with
//
//	go test -run '^$' -bench PairedAdmin -benchtime 2000x
func BenchmarkPairedAdmin(b *testing.B) {
	ctx := context.Background()
	token := typicalToken()
	var ours, admin func(context.Context, string) error
	for _, c := range allContenders(b) {
		switch c.name {
		case "fbverify":
			ours = c.verify
		case "admin-sdk":
			admin = c.verify
		}
	}
	if ours == nil || admin == nil {
		b.Fatal("the fbverify and admin-sdk contenders are missing")
	}
	const maxSamples = 1 << 15
	adminTimes := make([]time.Duration, 0, maxSamples)
	oursTimes := make([]time.Duration, 0, maxSamples)
	b.ReportAllocs()
	// The order alternates, so that neither always runs with caches the
	// other has just filled with its own data.
	timed := func(f func(context.Context, string) error) time.Duration {
		t0 := time.Now()
		if err := f(ctx, token); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	odd := false
	for b.Loop() {
		var a, o time.Duration
		if odd {
			o, a = timed(ours), timed(admin)
		} else {
			a, o = timed(admin), timed(ours)
		}
		odd = !odd
		if len(adminTimes) < maxSamples {
			adminTimes = append(adminTimes, a)
			oursTimes = append(oursTimes, o)
		}
	}
	speedup := float64(medianDuration(adminTimes)) / float64(medianDuration(oursTimes))
	b.ReportMetric(speedup, "speedup")
	if b.N >= minAdminIterations && speedup < minAdminSpeedup {
		b.Errorf("the Admin SDK is %.2fx as slow as fbverify, below the bound %.1fx", speedup, minAdminSpeedup)
	}
}

// The Admin SDK gate: its verification takes at least minAdminSpeedup
// times fbverify's, judged on runs of at least minAdminIterations.
const (
	minAdminSpeedup    = 2.2
	minAdminIterations = 1000
)

func medianDuration(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}
