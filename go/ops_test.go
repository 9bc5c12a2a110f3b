// SPDX-License-Identifier: Apache-2.0

package vaccel_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"vaccel"
)

func TestNoop(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginDebug)
		if err := s.Noop(); err != nil {
			t.Fatal(err)
		}
		if s.ID() <= 0 {
			t.Errorf("ID() = %d", s.ID())
		}
		if tr.remote && s.RemoteID() <= 0 {
			t.Errorf("remote session has RemoteID() %d", s.RemoteID())
		}
		if s.Flags() != tr.flags(vaccel.PluginDebug) {
			t.Errorf("Flags() = %v", s.Flags())
		}
	})
}

// mytestfunc doubles an int32 on the exec plugin's side (locally or on the
// agent): the result must land in the caller's variable.
func TestExec(t *testing.T) {
	need(t, "the exec plugin and libmytestlib", execPlugin, testLib)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginGeneric)
		for _, in := range []int32{21, -7, 0, math.MaxInt32} {
			out := int32(-1)
			err := s.Exec(testLib, "mytestfunc",
				[]vaccel.Arg{vaccel.Int32(&in)}, []vaccel.Arg{vaccel.Int32(&out)})
			if err != nil {
				t.Fatal(err)
			}
			if want := int32(uint32(in) * 2); out != want {
				t.Errorf("mytestfunc(%d) left %d in out, want %d", in, out, want)
			}
		}
		// The function's own failure (it wants one read and one write
		// arg) is the plugin's ErrBackend.
		in := int32(1)
		err := s.Exec(testLib, "mytestfunc", []vaccel.Arg{vaccel.Int32(&in)}, nil)
		if !errors.Is(err, vaccel.ErrBackend) {
			t.Errorf("mytestfunc without a write arg: %v, want ErrBackend", err)
		}
		err = s.Exec(testLib, "no_such_function", nil, nil)
		if !errors.Is(err, vaccel.ErrNotImplemented) {
			t.Errorf("missing symbol: %v, want ErrNotImplemented", err)
		}
	})
}

// Every argument constructor, read and written through exec on the
// reference plugin (which fills each write argument from a hash of the
// library, the symbol and every read argument's type and bytes), on every
// transport: the results land in the caller's variables and equal what Go
// computes. 28 read and 27 write arguments are more than three batches of
// gv_pin's 8 pointers.
func TestExecEveryArgType(t *testing.T) {
	need(t, "the reference plugin", refPlugin)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginFPGA)
		cases := argCases(600 << 10)
		read, ref := reads(cases)
		read = append(read, vaccel.String("a string"))
		ref = append(ref, refArg{vaccel.ArgString, []byte("a string\x00")})
		// An agent runs exec only for libraries it allows: the reference
		// plugin's own file (its exec opens no library).
		if err := s.Exec(refPlugin, "anything", read, writes(cases)); err != nil {
			t.Fatal(err)
		}
		h := refExecHash(refPlugin, "anything", ref)
		for i, c := range cases {
			if !bytes.Equal(c.out, refFill(h, i, len(c.out))) {
				t.Errorf("write arg %d (%s) does not hold the reference result", i, c.name)
			}
		}
	})
}

func TestExecWithResource(t *testing.T) {
	need(t, "the exec plugin and libmytestlib", execPlugin, testLib)
	lib, err := os.ReadFile(testLib)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "libmytestlib.so"), lib, 0o755); err != nil {
		t.Fatal(err)
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginGeneric)
		fromBytes, err := vaccel.NewResourceFromBytes(lib, vaccel.ResourceLib, "libmytestlib.so", false)
		if err != nil {
			t.Fatal(err)
		}
		defer fromBytes.Close()
		for name, r := range map[string]*vaccel.Resource{
			"file":      resource(t, testLib, vaccel.ResourceLib),
			"directory": resource(t, dir, vaccel.ResourceLib),
			"paths":     mustPaths(t, []string{testLib}, vaccel.ResourceLib),
			"bytes":     fromBytes,
		} {
			if err := r.Register(s); err != nil {
				t.Fatalf("%s: Register: %v", name, err)
			}
			if !s.HasResource(r) || r.Refcount() != 1 {
				t.Errorf("%s: HasResource %v, Refcount %d after Register", name, s.HasResource(r), r.Refcount())
			}
			if tr.remote && r.RemoteID() <= 0 {
				t.Errorf("%s: no RemoteID after registering remotely", name)
			}
			in, out := int32(50), int32(0)
			err := s.ExecWithResource(r, "mytestfunc",
				[]vaccel.Arg{vaccel.Int32(&in)}, []vaccel.Arg{vaccel.Int32(&out)})
			if err != nil || out != 100 {
				t.Errorf("%s: mytestfunc(50) = %d, %v", name, out, err)
			}
		}
	})
}

func mustPaths(t *testing.T, paths []string, typ vaccel.ResourceType) *vaccel.Resource {
	t.Helper()
	r, err := vaccel.NewResourcePaths(paths, typ)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestGenop(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginDebug)
		if err := s.Genop([]vaccel.Arg{vaccel.Op(vaccel.OpNoop)}, nil); err != nil {
			t.Errorf("genop noop: %v", err)
		}
	})
	need(t, "the reference plugin", refPlugin)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginFPGA)
		// minmax as a genop: read in, ndata, low, high; write out, min, max.
		in := []float64{3, -1, 10, 5, 2.5}
		n, low, high := int32(len(in)), int32(0), int32(6)
		out := make([]float64, len(in))
		var min, max float64
		err := s.Genop(
			[]vaccel.Arg{vaccel.Op(vaccel.OpMinMax), vaccel.Float64s(in), vaccel.Int32(&n),
				vaccel.Int32(&low), vaccel.Int32(&high)},
			[]vaccel.Arg{vaccel.Float64s(out), vaccel.Float64(&min), vaccel.Float64(&max)})
		if err != nil {
			t.Fatalf("genop minmax: %v", err)
		}
		wantOut, wantMin, wantMax := refMinMax(in, int(low), int(high))
		if !equal(out, wantOut) || min != wantMin || max != wantMax {
			t.Errorf("genop minmax = %v, %v, %v, want %v, %v, %v", out, min, max, wantOut, wantMin, wantMax)
		}

		// Classification as a genop: read image; write text, name.
		img := []byte("not really an image")
		text, name := make([]byte, 64), make([]byte, 64)
		err = s.Genop([]vaccel.Arg{vaccel.Op(vaccel.OpImageClassify), vaccel.Bytes(img)},
			[]vaccel.Arg{vaccel.Typed(vaccel.ArgUcharArray, text), vaccel.Typed(vaccel.ArgUcharArray, name)})
		if err != nil {
			t.Fatalf("genop classify: %v", err)
		}
		if got, want := cString(text), refImageText("classify", img); got != want {
			t.Errorf("genop classify text %q, want %q", got, want)
		}

		// A malformed layout is the library's ErrInvalid.
		err = s.Genop([]vaccel.Arg{vaccel.Op(vaccel.OpMinMax), vaccel.Float64s(in)}, nil)
		if !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("genop minmax with 1 arg: %v, want ErrInvalid", err)
		}
	})
	need(t, "the exec plugin and libmytestlib", execPlugin, testLib)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginGeneric)
		in, out := int32(-4), int32(0)
		err := s.Genop(
			[]vaccel.Arg{vaccel.Op(vaccel.OpExec), vaccel.String(testLib), vaccel.String("mytestfunc"), vaccel.Int32(&in)},
			[]vaccel.Arg{vaccel.Int32(&out)})
		if err != nil || out != -8 {
			t.Errorf("genop exec mytestfunc(-4) = %d, %v", out, err)
		}
	})
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestImageOps(t *testing.T) {
	need(t, "the reference plugin", refPlugin)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginFPGA)
		img := []byte{0xff, 0xd8, 0xff, 1, 2, 3}
		text, name, err := s.ImageClassification(img)
		if err != nil || text != refImageText("classify", img) || name != refImageText("classify-name", img) {
			t.Errorf("ImageClassification = %q, %q, %v", text, name, err)
		}
		for _, op := range []struct {
			name, what string
			f          func([]byte) (string, error)
		}{
			{"ImageDetection", "detect", s.ImageDetection},
			{"ImageSegmentation", "segment", s.ImageSegmentation},
			{"ImagePose", "pose", s.ImagePose},
			{"ImageDepth", "depth", s.ImageDepth},
		} {
			if got, err := op.f(img); err != nil || got != refImageText(op.what, img) {
				t.Errorf("%s = %q, %v", op.name, got, err)
			}
			var e *vaccel.Error
			if _, err := op.f(nil); !errors.As(err, &e) || e.Code != vaccel.ErrInvalid || e.Op != op.name {
				t.Errorf("%s(nil) = %v, want an ErrInvalid *Error naming the op", op.name, err)
			}
		}
	})
}

func TestSgemm(t *testing.T) {
	need(t, "the reference plugin", refPlugin)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginFPGA)
		const m, n, k, lda, ldb, ldc = 3, 4, 5, 6, 5, 7
		a, b := make([]float32, m*lda), make([]float32, k*ldb)
		c := make([]float32, m*ldc)
		for i := range a {
			a[i] = float32(i%7) - 3
		}
		for i := range b {
			b[i] = float32(i%5) * 0.5
		}
		for i := range c {
			c[i] = float32(i%3) + 1
		}
		want := append([]float32(nil), c...)
		refSgemm(m, n, k, 1.5, a, lda, b, ldb, 0.5, want, ldc)
		// c is updated in place: its m x n part, not the padding up to
		// ldc. (beta is not 0: with beta 0 the rpc plugin does not send c
		// to the agent, which then returns zeros in the padding.)
		if err := s.Sgemm(m, n, k, 1.5, a, lda, b, ldb, 0.5, c, ldc); err != nil {
			t.Fatal(err)
		}
		if !equal(c, want) {
			t.Errorf("sgemm c = %v, want %v", c, want)
		}
		// Slices shorter than the dimensions say are refused before C
		// can read past them; dimensions C refuses are C's error.
		if err := s.Sgemm(m, n, k, 1, a[:m*lda-1], lda, b, ldb, 0, c, ldc); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("short a: %v", err)
		}
		if err := s.Sgemm(m, n, k, 1, a, lda, b, ldb, 0, c[:m*ldc-1], ldc); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("short c: %v", err)
		}
		if err := s.Sgemm(m, n, k, 1, a, k-1, b, ldb, 0, c, ldc); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("lda < k: %v", err)
		}
		if err := s.Sgemm(math.MaxInt64, n, k, 1, a, lda, b, ldb, 0, c, ldc); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("huge m: %v", err)
		}
		if err := s.Sgemm(0, n, k, 1, nil, lda, nil, ldb, 0, nil, ldc); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("m = 0, nil slices: %v", err)
		}
	})
}

func TestMinMax(t *testing.T) {
	need(t, "the reference plugin", refPlugin)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginFPGA)
		in := []float64{3, -1, 10, 5, 0.5}
		out, min, max, err := s.MinMax(in, 0, 6)
		wantOut, wantMin, wantMax := refMinMax(in, 0, 6)
		if err != nil || !equal(out, wantOut) || min != wantMin || max != wantMax {
			t.Errorf("MinMax = %v, %v, %v, %v", out, min, max, err)
		}
		if _, _, _, err := s.MinMax(nil, 0, 1); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("MinMax(nil): %v", err)
		}
		if _, _, _, err := s.MinMax([]float64{1}, 5, 1); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("MinMax low > high: %v", err)
		}
	})
}
