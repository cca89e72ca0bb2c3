package verify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fbverify/fbverify/verify"
)

// BenchmarkGates holds the bounds on what verifying and refusing cost, in
// one run. Each sub-benchmark times, in the same loop, a warm verification
// of the typical token and the operation it bounds (in rotating order, each
// alone), and reports the ratio of their median times:
//
//   - floor: a verification is at most 0.80x the standard library floor
//     (SHA-256 and rsa.VerifyPKCS1v15 with a parsed key: x-floor), with at
//     most 3 allocations (verify-allocs).
//   - junk/SHAPE: refusing an 8 KiB token of each junk shape before the RSA
//     step costs at most 1.6 verifications (x-verify).
//   - ceiling/SHAPE: a token with passing claims, custom claims of the
//     shape filling the size limit and a forged signature, refused by the
//     RSA check, costs at most 2.5 verifications (x-verify): no input within
//     the size limit costs more.
//   - scaling/SHAPE: refusing a 256 KiB token of the shape costs, per byte,
//     at most twice what a 64 KiB one does (x-per-byte): cost is linear in
//     size. A cost that grew with the square of the size would give 4; the
//     margin is for what a large token costs the memory caches.
//
// The Admin SDK gate (at least 2.2x a verification's CPU time) is
// testdata/bench's BenchmarkPairedAdmin, in its own module.
//
// A gate judges only runs of at least gateMinIterations iterations: run
//
//	go test ./verify -run '^$' -bench '^BenchmarkGates$' -benchtime 2000x -cpu 1
//
// A broken bound fails the benchmark (b.Error). CI runs every benchmark
// once (-benchtime=1x), which checks the allocations and that every token
// is refused as it should be, and reports the ratios without judging them.
func BenchmarkGates(b *testing.B) {
	f := newBenchFixture(b)
	ctx := context.Background()
	verifyOnce := func() {
		if _, err := f.verifier.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("floor", func(b *testing.B) {
		pub, input, sig := floorInputs(b)
		allocs := testing.AllocsPerRun(100, verifyOnce)
		if allocs > maxVerifyAllocs {
			b.Errorf("a verification allocates %v times, above its bound %d", allocs, maxVerifyAllocs)
		}
		t := timePaired(b, func() { floor(b, pub, input, sig) }, verifyOnce)
		b.ReportMetric(allocs, "verify-allocs") // after the loop, which clears the metrics
		gate(b, "x-floor", t[1]/t[0], maxFloorRatio)
	})
	for _, shape := range junkShapes {
		b.Run("junk/"+shape.name, func(b *testing.B) {
			tok := junkToken(b, f, shape, verify.DefaultMaxTokenBytes)
			t := timePaired(b, verifyOnce, refuse(b, f.verifier, tok))
			gate(b, "x-verify", t[1]/t[0], maxJunkRatio)
		})
	}
	for _, shape := range junkShapes {
		if shape.want != nil {
			continue // refused by a limit before the RSA step
		}
		b.Run("ceiling/"+shape.name, func(b *testing.B) {
			tok := ceilingToken(b, f, shape)
			t := timePaired(b, verifyOnce, refuse(b, f.verifier, tok))
			gate(b, "x-verify", t[1]/t[0], maxCeilingRatio)
		})
	}
	large := newBenchFixture(b, verify.WithMaxTokenBytes(1<<20))
	for _, shape := range junkShapes {
		b.Run("scaling/"+shape.name, func(b *testing.B) {
			small := junkToken(b, large, shape, 64<<10)
			big := junkToken(b, large, shape, 256<<10)
			t := timePaired(b, refuse(b, large.verifier, small), refuse(b, large.verifier, big))
			gate(b, "x-per-byte", (t[1]/float64(len(big)))/(t[0]/float64(len(small))), maxScalingRatio)
		})
	}
}

// The bounds BenchmarkGates holds, and how many iterations it needs to
// judge them.
const (
	maxFloorRatio     = 0.80
	maxVerifyAllocs   = 3
	maxJunkRatio      = 1.6
	maxCeilingRatio   = 2.5
	maxScalingRatio   = 2.0
	gateMinIterations = 1000
)

// gate reports value as metric and, on a run long enough to judge it,
// fails the benchmark if value is above bound.
func gate(b *testing.B, metric string, value, bound float64) {
	b.Helper()
	b.ReportMetric(value, metric)
	if b.N >= gateMinIterations && value > bound {
		b.Errorf("%s = %.3f, above its bound %.2f", metric, value, bound)
	}
}

// timePaired runs ops in each iteration, in rotating order so that no
// operation always runs with the caches another has just filled, times
// each alone, and returns each one's median time in nanoseconds (a
// median, because on a shared machine a few iterations are preempted).
func timePaired(b *testing.B, ops ...func()) []float64 {
	times := newOpTimes(len(ops))
	b.ReportAllocs()
	first := 0
	for b.Loop() {
		for j := range ops {
			op := (first + j) % len(ops)
			t0 := time.Now()
			ops[op]()
			times.add(op, time.Since(t0))
		}
		first = (first + 1) % len(ops)
	}
	medians := make([]float64, len(ops))
	for i := range ops {
		medians[i] = times.median(i)
	}
	return medians
}

// refuse is an operation that has v refuse tok.
func refuse(b *testing.B, v *verify.Verifier, tok string) func() {
	ctx := context.Background()
	return func() {
		if _, err := v.Verify(ctx, tok); err == nil {
			b.Fatal("accepted")
		}
	}
}

// ceilingToken is a token of the fixture's signer whose claims pass, with
// a custom claim "x" of the shape filling the size limit, and a forged
// signature (another payload's): refused only by the RSA check.
func ceilingToken(tb testing.TB, f benchFixture, shape junkShape) string {
	tb.Helper()
	token := typicalToken(f.signer)
	genuine := strings.Split(token, ".")
	h, p := decodeSegments(tb, token)
	header, payload := string(h), string(p)
	room := verify.DefaultMaxTokenBytes - len(genuine[0]) - len(genuine[2]) - 2 - len(genuine[1]) - 16
	junk := shape.make(room / 4 * 3)
	custom := payload[:len(payload)-1] + `,"x":` + junk + `}`
	signed := f.signer.Sign([]byte(header), []byte(custom))
	forged := signed[:strings.LastIndexByte(signed, '.')+1] + genuine[2]
	if len(forged) > verify.DefaultMaxTokenBytes || len(forged) < verify.DefaultMaxTokenBytes*85/100 {
		tb.Fatalf("%s: token of %d bytes, want about %d", shape.name, len(forged), verify.DefaultMaxTokenBytes)
	}
	if _, err := f.verifier.Verify(context.Background(), signed); err != nil {
		tb.Fatalf("%s: the signed token is refused: %v", shape.name, err)
	}
	if _, err := f.verifier.Verify(context.Background(), forged); !errors.Is(err, verify.ErrInvalidSignature) {
		tb.Fatalf("%s: Verify = %v, want %v", shape.name, err, verify.ErrInvalidSignature)
	}
	return forged
}
