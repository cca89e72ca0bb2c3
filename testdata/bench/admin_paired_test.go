package bench

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkPairedAdmin pairs fbverify with the Admin SDK in one loop, on
// the same token. Each round runs a block of adminBlock Admin SDK
// verifications and a block of as many fbverify verifications (in turns,
// one block first and then the other), and measures for each block the
// process's CPU time: every thread, so the garbage collector's work on
// what the block allocated is counted, wherever it runs. speedup, the
// gate, is the Admin SDK's CPU time over fbverify's: what a server pays
// per verification. CPU time counts only this process, so other jobs on a
// shared machine do not move it.
//
// speedup-wall-median is shown beside it, not judged: the ratio of the
// medians of single verifications' wall-clock times. A median leaves out
// the verifications during which the collector ran, so it leaves out most
// of the cost of the Admin SDK's 141 allocations per verification, and
// reads lower.
//
// On a run of at least minAdminIterations iterations, a speedup below
// minAdminSpeedup fails the benchmark. Run it with
//
//	go test -run '^$' -bench PairedAdmin -benchtime 10000x -cpu 1,2
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
	contenders := [2]*pairedRuns{{verify: admin}, {verify: ours}}
	b.ReportAllocs()
	first := 0
	for i := 0; i < b.N; i += adminBlock {
		// The order alternates, so that neither always runs with caches
		// the other has just filled with its own data.
		for j := range contenders {
			if err := contenders[(first+j)%2].runBlock(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
		first ^= 1
	}
	adminRuns, ourRuns := contenders[0], contenders[1]
	speedup := float64(adminRuns.cpu) / float64(ourRuns.cpu)
	b.ReportMetric(speedup, "speedup")
	b.ReportMetric(float64(medianDuration(adminRuns.wall))/float64(medianDuration(ourRuns.wall)), "speedup-wall-median")
	if b.N >= minAdminIterations && speedup < minAdminSpeedup {
		b.Errorf("the Admin SDK takes %.2fx fbverify's CPU time, below the bound %.1fx", speedup, minAdminSpeedup)
	}
}

// The Admin SDK gate: its verification takes at least minAdminSpeedup
// times fbverify's CPU time, judged on runs of at least
// minAdminIterations iterations of each, run in blocks of adminBlock.
const (
	minAdminSpeedup    = 2.2
	minAdminIterations = 1000
	adminBlock         = 50
)

// pairedRuns is one contender's side of a paired run: its verification,
// the CPU time its blocks took, and the wall-clock time of each single
// verification (up to maxWallSamples).
type pairedRuns struct {
	verify func(context.Context, string) error
	cpu    time.Duration
	wall   []time.Duration
}

const maxWallSamples = 1 << 15

// runBlock verifies token adminBlock times, adding the process's CPU time
// meanwhile to r.cpu.
func (r *pairedRuns) runBlock(ctx context.Context, token string) error {
	start := processCPUTime()
	for range adminBlock {
		t0 := time.Now()
		if err := r.verify(ctx, token); err != nil {
			return err
		}
		if len(r.wall) < maxWallSamples {
			r.wall = append(r.wall, time.Since(t0))
		}
	}
	r.cpu += processCPUTime() - start
	return nil
}

func medianDuration(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}
