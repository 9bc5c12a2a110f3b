// SPDX-License-Identifier: Apache-2.0

package vaccel_test

// The results of tests/reference's plugin (libvaccel-reference.so, hint
// PluginFPGA), computed here in Go from the test's own inputs, as
// tests/reference/reference.h defines them: every argument changes the
// result, so an argument dropped, swapped, truncated or retyped anywhere
// between the bindings and the plugin (locally, or through the rpc plugin,
// the wire and the agent) shows up as a mismatch.

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"vaccel"
)

const refHashInit uint64 = 0xcbf29ce484222325

// refHash is FNV-1a over b, continued from h.
func refHash(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= 0x100000001b3
	}
	return h
}

// refHashStr hashes s with its NUL.
func refHashStr(h uint64, s string) uint64 {
	return refHash(h, append([]byte(s), 0))
}

// A refArg is a read argument as the plugin sees it: its type and bytes.
type refArg struct {
	typ  vaccel.ArgType
	data []byte
}

func refHashArgs(h uint64, args []refArg) uint64 {
	for _, a := range args {
		var t [4]byte
		binary.LittleEndian.PutUint32(t[:], uint32(a.typ))
		h = refHash(refHash(h, t[:]), a.data)
	}
	return h
}

// refFill is what the plugin writes into write argument i of size n.
func refFill(h uint64, i, n int) []byte {
	var idx [8]byte
	binary.LittleEndian.PutUint64(idx[:], uint64(i))
	v := refHash(h, idx[:])
	out := make([]byte, n)
	for j := range out {
		out[j] = byte(v >> (8 * (j % 8)))
	}
	return out
}

// refExecHash is the hash exec fills its write arguments from.
func refExecHash(library, symbol string, read []refArg) uint64 {
	return refHashArgs(refHashStr(refHashStr(refHashInit, library), symbol), read)
}

// refExecResourceHash is exec_with_resource's: over the resource's files.
func refExecResourceHash(blobs [][]byte, symbol string, read []refArg) uint64 {
	h := refHashInit
	for _, b := range blobs {
		h = refHash(h, b)
	}
	return refHashArgs(refHashStr(h, symbol), read)
}

// refImageText is an image op's text output (before truncation).
func refImageText(what string, img []byte) string {
	h := refHash(refHashStr(refHashInit, what), img)
	return fmt.Sprintf("%s:%016x/%d", what, h, len(img))
}

// refSgemm is c = alpha * a * b + beta * c on the m x n part of c.
func refSgemm(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var acc float32
			for p := 0; p < k; p++ {
				acc += a[i*lda+p] * b[p*ldb+j]
			}
			c[i*ldc+j] = alpha*acc + beta*c[i*ldc+j]
		}
	}
}

// refMinMax clamps in to [low, high] and finds its extremes.
func refMinMax(in []float64, low, high int) (out []float64, min, max float64) {
	out = make([]float64, len(in))
	min, max = in[0], in[0]
	for i, v := range in {
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
		switch {
		case v < float64(low):
			out[i] = float64(low)
		case v > float64(high):
			out[i] = float64(high)
		default:
			out[i] = v
		}
	}
	return out, min, max
}

// An argCase is one argument constructor, made twice: over a variable
// holding a test value (read) and over a zeroed twin (write), with views of
// both variables' memory.
type argCase struct {
	name        string
	read, write vaccel.Arg
	in, out     []byte
}

func memOf[T any](p *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), unsafe.Sizeof(*p))
}

func memOfSlice[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

func scalarCase[T any](name string, mk func(*T) vaccel.Arg, v T) argCase {
	in, out := new(T), new(T)
	*in = v
	return argCase{name, mk(in), mk(out), memOf(in), memOf(out)}
}

func sliceCase[T any](name string, mk func([]T) vaccel.Arg, v []T) argCase {
	out := make([]T, len(v))
	return argCase{name, mk(v), mk(out), memOfSlice(v), memOfSlice(out)}
}

// withPointers holds numbers next to a Go pointer: cgo's rules allow
// lending a number field of it, and its checker must not refuse that.
type withPointers struct {
	next *withPointers
	n    int32
	tail [3]byte
}

// argCases returns one case per argument constructor (with a payload-byte
// buffer among them) and a number field of a struct that holds pointers.
func argCases(payload int) []argCase {
	buf := make([]byte, payload)
	for i := range buf {
		buf[i] = byte(i*31 + 7)
	}
	st := [2]*withPointers{{n: -123456}, {}}
	st[0].next, st[1].next = st[1], st[0]
	cases := []argCase{
		scalarCase("Int8", vaccel.Int8, int8(-5)),
		scalarCase("Int16", vaccel.Int16, int16(-300)),
		scalarCase("Int32", vaccel.Int32, int32(-70000)),
		scalarCase("Int64", vaccel.Int64, int64(1)<<40),
		scalarCase("Uint8", vaccel.Uint8, uint8(200)),
		scalarCase("Uint16", vaccel.Uint16, uint16(60000)),
		scalarCase("Uint32", vaccel.Uint32, uint32(1)<<31),
		scalarCase("Uint64", vaccel.Uint64, uint64(1)<<63),
		scalarCase("Float32", vaccel.Float32, float32(1.5)),
		scalarCase("Float64", vaccel.Float64, -2e100),
		scalarCase("Bool", vaccel.Bool, true),
		sliceCase("Int8s", vaccel.Int8s, []int8{-1, 2, -3}),
		sliceCase("Int16s", vaccel.Int16s, []int16{-1000, 2, 3}),
		sliceCase("Int32s", vaccel.Int32s, []int32{-1 << 30, 2, 3}),
		sliceCase("Int64s", vaccel.Int64s, []int64{-1 << 60, 2, 3}),
		sliceCase("Uint8s", vaccel.Uint8s, []uint8{250, 251, 252}),
		sliceCase("Uint16s", vaccel.Uint16s, []uint16{1, 2, 65535}),
		sliceCase("Uint32s", vaccel.Uint32s, []uint32{1, 2, 1 << 31}),
		sliceCase("Uint64s", vaccel.Uint64s, []uint64{1, 2, 1 << 63}),
		sliceCase("Float32s", vaccel.Float32s, []float32{0.5, -1, 3}),
		sliceCase("Float64s", vaccel.Float64s, []float64{0.5, -1, 1e300}),
		sliceCase("Bools", vaccel.Bools, []bool{true, false, true}),
		sliceCase("Bytes", vaccel.Bytes, buf),
		sliceCase("Raw", vaccel.Raw, []byte("sixteen raw byte")),
		sliceCase("Typed", func(b []byte) vaccel.Arg { return vaccel.Typed(vaccel.ArgUcharArray, b) }, []byte("hello")),
		sliceCase("Custom", func(b []byte) vaccel.Arg { return vaccel.Custom(7, b) }, []byte("custom")),
		{"field of a struct with pointers", vaccel.Int32(&st[0].n), vaccel.Int32(&st[1].n),
			memOf(&st[0].n), memOf(&st[1].n)},
	}
	return cases
}

func reads(cases []argCase) ([]vaccel.Arg, []refArg) {
	var args []vaccel.Arg
	var ref []refArg
	for _, c := range cases {
		args = append(args, c.read)
		ref = append(ref, refArg{c.read.Type(), c.in})
	}
	return args, ref
}

func writes(cases []argCase) []vaccel.Arg {
	var args []vaccel.Arg
	for _, c := range cases {
		args = append(args, c.write)
	}
	return args
}
