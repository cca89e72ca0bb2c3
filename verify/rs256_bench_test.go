package verify_test

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fbverify/fbverify/jwks"
	"github.com/fbverify/fbverify/verify/internal/rs256"
	"github.com/fbverify/fbverify/verify/verifytest"
)

// Two floors. BenchmarkFloor is SHA-256 and rsa.VerifyPKCS1v15, which
// rebuilds the modulus's Montgomery constants on every call.
// BenchmarkNewFloor is SHA-256 and the same check against the key prepared
// once (package rs256): what no verifier that reuses its keys can avoid.
//
//	go test ./verify -run '^$' -bench 'Floor|PairedFloors' -cpu 1,2 -count 6

// BenchmarkNewFloor is SHA-256 of the signing input and the RS256 check
// against a prepared 2048-bit key.
func BenchmarkNewFloor(b *testing.B) {
	key, input, sig := newFloorInputs(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		newFloor(b, key, input, sig)
	}
}

// BenchmarkNewFloorParallel is BenchmarkNewFloor on every P.
func BenchmarkNewFloorParallel(b *testing.B) {
	key, input, sig := newFloorInputs(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			newFloor(b, key, input, sig)
		}
	})
}

func newFloorInputs(b *testing.B) (*rs256.Key, []byte, []byte) {
	pub, input, sig := floorInputs(b)
	key, err := rs256.NewKey(pub)
	if err != nil {
		b.Fatal(err)
	}
	return key, input, sig
}

func newFloor(b *testing.B, key *rs256.Key, input, sig []byte) {
	digest := sha256.Sum256(input)
	if err := key.Verify(&digest, sig); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPairedFloors times, in each iteration, the standard library
// floor, the new floor and a warm verification (in rotating order), each
// timed alone, so all three see the same machine load. The ratios are of the medians of the
// single-operation times: on a shared machine a total counts the
// iterations in which another process held the CPU, a median leaves them
// out. It reports x-floor (verification over the standard library floor),
// x-newfloor (verification over the new floor) and newfloor-x-floor (the
// new floor over the old); ns/op counts all three operations.
func BenchmarkPairedFloors(b *testing.B) {
	pub, input, sig := floorInputs(b)
	key, err := rs256.NewKey(pub)
	if err != nil {
		b.Fatal(err)
	}
	f := newBenchFixture(b)
	ctx := context.Background()
	ops := []func(){
		func() { floor(b, pub, input, sig) },
		func() { newFloor(b, key, input, sig) },
		func() {
			if _, err := f.verifier.Verify(ctx, f.token); err != nil {
				b.Fatal(err)
			}
		},
	}
	t := timePaired(b, ops...)
	floorNs, newFloorNs, verifyNs := t[0], t[1], t[2]
	b.ReportMetric(verifyNs/floorNs, "x-floor")
	b.ReportMetric(verifyNs/newFloorNs, "x-newfloor")
	b.ReportMetric(newFloorNs/floorNs, "newfloor-x-floor")
}

// opTimes holds the single-operation times of a paired loop, up to
// maxOpTimes per operation (the first ones), allocated before the loop.
type opTimes [][]time.Duration

const maxOpTimes = 1 << 15

func newOpTimes(ops int) opTimes {
	t := make(opTimes, ops)
	for i := range t {
		t[i] = make([]time.Duration, 0, maxOpTimes)
	}
	return t
}

func (t opTimes) add(op int, d time.Duration) {
	if len(t[op]) < cap(t[op]) {
		t[op] = append(t[op], d)
	}
}

// median is operation op's median time in nanoseconds.
func (t opTimes) median(op int) float64 {
	d := slices.Clone(t[op])
	if len(d) == 0 {
		return math.NaN()
	}
	slices.Sort(d)
	return float64(d[len(d)/2])
}

// BenchmarkKeySetPerKey is what a key costs when it enters use: parsing
// Google's JWK Set shape (jwks.ParseKeySet) and preparing each key, per
// key. The preparation happens on a key's first verification.
func BenchmarkKeySetPerKey(b *testing.B) {
	s := verifytest.NewSigner("bench-project")
	s.Rotate()
	s.Rotate() // three published keys, as Google sometimes has
	doc := s.JWKS()
	set, err := jwks.ParseKeySet(doc)
	if err != nil {
		b.Fatal(err)
	}
	n := len(set.KeyIDs())
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jwks.ParseKeySet(doc); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
	})
	b.Run("prepare", func(b *testing.B) {
		keys := make([]*rsa.PublicKey, 0, n)
		for _, kid := range set.KeyIDs() {
			k, err := set.PublicKey(context.Background(), kid)
			if err != nil {
				b.Fatal(err)
			}
			keys = append(keys, k)
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, k := range keys {
				if _, err := rs256.NewKey(k); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/key")
	})
}

// BenchmarkPairedParallel runs, on every P, the pairing of
// BenchmarkPairedFloors for the new floor and a warm verification. With
// -cpu 1,2 it shows whether Verify scales as the bare check does: if the
// Verifier's shared state (the key set, the prepared keys, the header
// memo, the buffer pool) made the goroutines wait for one another,
// x-newfloor would rise from one P to two, and verify-us (the median time
// of one verification) with it, while newfloor-us stays. It reports both
// medians, in microseconds, and their ratio.
func BenchmarkPairedParallel(b *testing.B) {
	key, input, sig := newFloorInputs(b)
	f := newBenchFixture(b)
	ctx := context.Background()
	var mu sync.Mutex
	var floorTimes, verifyTimes []time.Duration
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		times := newOpTimes(2)
		for i := 0; pb.Next(); i++ {
			for j := range 2 {
				t0 := time.Now()
				if (i+j)%2 == 0 {
					newFloor(b, key, input, sig)
					times.add(0, time.Since(t0))
				} else {
					if _, err := f.verifier.Verify(ctx, f.token); err != nil {
						b.Error(err)
						return
					}
					times.add(1, time.Since(t0))
				}
			}
		}
		mu.Lock()
		floorTimes = append(floorTimes, times[0]...)
		verifyTimes = append(verifyTimes, times[1]...)
		mu.Unlock()
	})
	all := opTimes{floorTimes, verifyTimes}
	floorNs, verifyNs := all.median(0), all.median(1)
	b.ReportMetric(verifyNs/floorNs, "x-newfloor")
	b.ReportMetric(floorNs/1e3, "newfloor-us")
	b.ReportMetric(verifyNs/1e3, "verify-us")
}
