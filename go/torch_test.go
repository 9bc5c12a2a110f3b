// SPDX-License-Identifier: Apache-2.0

package vaccel_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"vaccel"
)

func torchModel(t *testing.T, name string) string {
	t.Helper()
	need(t, "the torch plugin and tests/data", torchPlugin, torchData)
	return filepath.Join(torchData, name)
}

// cnnInput is tiny_cnn.pt's 1x3x32x32 input: a fixed pseudo-random pattern.
func cnnInput(seed uint32) []float32 {
	x := make([]float32, 3*32*32)
	for i := range x {
		seed = seed*1664525 + 1013904223
		x[i] = float32(int32(seed>>8)%2001-1000) / 500
	}
	return x
}

var cnnDims = []int64{1, 3, 32, 32}

var cRefCache sync.Map // input seed -> cResult

type cResult struct {
	dims []int64
	data []byte
}

// cRun is output 0 of model on x as the C API computes it: tests/python's
// torch_ref program, run with the local torch plugin.
func cRun(t *testing.T, model string, x []float32, dims []int64, seed uint32) cResult {
	t.Helper()
	need(t, "torch_ref (the C reference)", torchRef)
	key := model + "/" + strconv.Itoa(int(seed))
	if r, ok := cRefCache.Load(key); ok {
		return r.(cResult)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.bin"), filepath.Join(dir, "out.bin")
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, x); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := make([]string, len(dims))
	for i, d := range dims {
		ds[i] = strconv.FormatInt(d, 10)
	}
	cmd := exec.Command(torchRef, "run", model, in, strings.Join(ds, ","), out)
	cmd.Env = append(os.Environ(), "VACCEL_PLUGINS="+torchPlugin)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("torch_ref: %v", err)
	}
	var r cResult
	for _, f := range strings.Split(strings.TrimSpace(string(stdout)), ",") {
		d, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatalf("torch_ref printed %q", stdout)
		}
		r.dims = append(r.dims, d)
	}
	if r.data, err = os.ReadFile(out); err != nil {
		t.Fatal(err)
	}
	cRefCache.Store(key, r)
	return r
}

func TestTorchBitIdenticalToC(t *testing.T) {
	model := torchModel(t, "tiny_cnn.pt")
	x := cnnInput(1234)
	want := cRun(t, model, x, cnnDims, 1234)
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginTorch)
		m := registered(t, s, model, vaccel.ResourceModel)
		if err := s.TorchModelLoad(m); err != nil {
			t.Fatal(err)
		}
		in, err := vaccel.NewTorchTensor(x, cnnDims...)
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.TorchModelRun(m, []*vaccel.TorchTensor{in}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if out[0].DataType() != vaccel.TorchFloat || !equal(out[0].Dims(), want.dims) {
			t.Fatalf("output %v %v, C gives %v float", out[0].DataType(), out[0].Dims(), want.dims)
		}
		if !bytes.Equal(out[0].Bytes(), want.data) {
			t.Fatalf("output bytes differ from the C API's")
		}
		scores, err := vaccel.TorchTensorData[float32](out[0])
		if err != nil || len(scores) != len(want.data)/4 {
			t.Fatalf("TorchTensorData: %d values, %v", len(scores), err)
		}
		if _, err := vaccel.TorchTensorData[float64](out[0]); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("TorchTensorData[float64] of a float tensor: %v", err)
		}
		// The input is read in place: running it again after changing the
		// slice gives the new answer, and the bytes are the C API's for
		// that input too.
		x2 := cnnInput(99)
		copy(x, x2)
		out2, err := s.TorchModelRun(m, []*vaccel.TorchTensor{in}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out2[0].Bytes(), cRun(t, model, x2, cnnDims, 99).data) {
			t.Errorf("run on the updated slice differs from the C API's")
		}
		copy(x, cnnInput(1234))
	})
}

func TestTorchFromBytesAndTwoOutputs(t *testing.T) {
	model := torchModel(t, "tiny_cnn.pt")
	data, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	x := cnnInput(1234)
	want := cRun(t, model, x, cnnDims, 1234)
	two := torchModel(t, "two_io.pt")
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginTorch)
		m, err := vaccel.NewResourceFromBytes(data, vaccel.ResourceModel, "m.pt", false)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if err := m.Register(s); err != nil {
			t.Fatal(err)
		}
		in, _ := vaccel.NewTorchTensor(x, cnnDims...)
		out, err := s.TorchModelRun(m, []*vaccel.TorchTensor{in}, 1)
		if err != nil || !bytes.Equal(out[0].Bytes(), want.data) {
			t.Fatalf("model from bytes: %v (or output differs from C)", err)
		}

		tm := registered(t, s, two, vaccel.ResourceModel)
		a := []float32{0, 1, 2, 3, 4, 5}
		b := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
		ta, _ := vaccel.NewTorchTensor(a, 2, 3)
		tb, _ := vaccel.NewTorchTensor(b, 2, 3)
		outs, err := s.TorchModelRun(tm, []*vaccel.TorchTensor{ta, tb}, 2)
		if err != nil {
			t.Fatal(err)
		}
		sum, _ := vaccel.TorchTensorData[float32](outs[0])
		prod, _ := vaccel.TorchTensorData[float32](outs[1])
		for i := range a {
			if sum[i] != a[i]+b[i] || prod[i] != a[i]*b[i] {
				t.Fatalf("two_io: %v, %v", sum, prod)
			}
		}
	})
}

// dtypes.pt returns one tensor per element type: integers + 1 (wrapping),
// floats * 2, bool negated. Nine inputs are more than one pin batch.
func TestTorchEveryDataType(t *testing.T) {
	model := torchModel(t, "dtypes.pt")
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginTorch)
		m := registered(t, s, model, vaccel.ResourceModel)
		u8 := []uint8{255, 7}
		i8 := []int8{127, -1}
		i16 := []int16{-5, 32000}
		i32 := []int32{-70000, 3}
		i64 := []int64{-1, 1 << 40}
		f16 := []byte{0x00, 0x3e, 0x00, 0xbc} // 1.5, -1.0 (little-endian halfs)
		f32 := []float32{0.25, -3.5}
		f64 := []float64{1e100, -0.5}
		bl := []bool{true, false}
		var in []*vaccel.TorchTensor
		add := func(t2 *vaccel.TorchTensor, err error) {
			if err != nil {
				t.Fatal(err)
			}
			in = append(in, t2)
		}
		add(vaccel.NewTorchTensor(u8, 2))
		add(vaccel.NewTorchTensor(i8, 2))
		add(vaccel.NewTorchTensor(i16, 2))
		add(vaccel.NewTorchTensor(i32, 2))
		add(vaccel.NewTorchTensor(i64, 2))
		add(vaccel.NewTorchTensorBytes(f16, vaccel.TorchHalf, 2))
		add(vaccel.NewTorchTensor(f32, 2))
		add(vaccel.NewTorchTensor(f64, 2))
		add(vaccel.NewTorchTensor(bl, 2))
		out, err := s.TorchModelRun(m, in, len(in))
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range out {
			if o.DataType() != in[i].DataType() || !equal(o.Dims(), []int64{2}) {
				t.Errorf("output %d: %v %v", i, o.DataType(), o.Dims())
			}
		}
		gu8, _ := vaccel.TorchTensorData[uint8](out[0])
		gi8, _ := vaccel.TorchTensorData[int8](out[1])
		gi16, _ := vaccel.TorchTensorData[int16](out[2])
		gi32, _ := vaccel.TorchTensorData[int32](out[3])
		gi64, _ := vaccel.TorchTensorData[int64](out[4])
		gf32, _ := vaccel.TorchTensorData[float32](out[6])
		gf64, _ := vaccel.TorchTensorData[float64](out[7])
		gb, _ := vaccel.TorchTensorData[bool](out[8])
		ok := gu8[0] == 0 && gu8[1] == 8 && gi8[0] == -128 && gi8[1] == 0 &&
			gi16[0] == -4 && gi16[1] == 32001 && gi32[0] == -69999 && gi32[1] == 4 &&
			gi64[0] == 0 && gi64[1] == 1<<40+1 &&
			bytes.Equal(out[5].Bytes(), []byte{0x00, 0x42, 0x00, 0xc0}) && // 3.0, -2.0
			gf32[0] == 0.5 && gf32[1] == -7 && gf64[0] == 2e100 && gf64[1] == -1 &&
			!gb[0] && gb[1]
		if !ok {
			t.Errorf("dtypes: %v %v %v %v %v %x %v %v %v", gu8, gi8, gi16, gi32, gi64,
				out[5].Bytes(), gf32, gf64, gb)
		}
	})
}

func TestTorchClassifySameLabelAsC(t *testing.T) {
	model := torchModel(t, "tiny_cnn.pt")
	need(t, "an image, torch_ref and VACCEL_TORCH_LABELS", testImage, torchRef, os.Getenv("VACCEL_TORCH_LABELS"))
	img, err := os.ReadFile(testImage)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(torchRef, "classify", model, testImage)
	cmd.Env = append(os.Environ(), "VACCEL_PLUGINS="+torchPlugin)
	ref, err := cmd.Output()
	if err != nil {
		t.Fatalf("torch_ref classify: %v", err)
	}
	want := strings.TrimSpace(string(ref))
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginTorch)
		registered(t, s, model, vaccel.ResourceModel)
		text, _, err := s.ImageClassification(img)
		if err != nil {
			t.Fatal(err)
		}
		if text == "" || text != want {
			t.Errorf("label %q, C gives %q", text, want)
		}
	})
}

func TestTorchErrors(t *testing.T) {
	model := torchModel(t, "tiny_cnn.pt")
	need(t, "an image", testImage)
	x := cnnInput(5)
	bad := filepath.Join(t.TempDir(), "corrupt.pt")
	if err := os.WriteFile(bad, []byte("this is not a TorchScript archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginTorch)
		m := resource(t, model, vaccel.ResourceModel)
		in, _ := vaccel.NewTorchTensor(x, cnnDims...)
		one := []*vaccel.TorchTensor{in}

		// Not registered with the session.
		if _, err := s.TorchModelRun(m, one, 1); !errors.Is(err, vaccel.ErrPermission) {
			t.Errorf("unregistered model: %v, want ErrPermission", err)
		}
		if err := m.Register(s); err != nil {
			t.Fatal(err)
		}
		// Wrong shape and wrong dtype: libtorch refuses them, and the
		// error carries its reason (through the agent too).
		narrow, _ := vaccel.NewTorchTensor(x[:2*32*32], 1, 2, 32, 32)
		_, err := s.TorchModelRun(m, []*vaccel.TorchTensor{narrow}, 1)
		wantReason(t, "wrong shape", err, "TorchModelRun", vaccel.ErrBackend, "channels")
		xd := make([]float64, len(x))
		wrong, _ := vaccel.NewTorchTensor(xd, cnnDims...)
		_, err = s.TorchModelRun(m, []*vaccel.TorchTensor{wrong}, 1)
		wantReason(t, "float64 input", err, "TorchModelRun", vaccel.ErrBackend, "double")
		// More outputs than the model gives, none, a nil input.
		if _, err := s.TorchModelRun(m, one, 3); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("3 outputs: %v, want ErrInvalid", err)
		}
		if _, err := s.TorchModelRun(m, one, 0); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("0 outputs: %v, want ErrInvalid", err)
		}
		if _, err := s.TorchModelRun(m, []*vaccel.TorchTensor{nil}, 1); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("nil input: %v, want ErrInvalid", err)
		}
		if _, err := s.TorchModelRun(m, nil, 1); err == nil {
			t.Errorf("no inputs: no error")
		}
		if _, err := s.TorchModelRun(nil, one, 1); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("nil model: %v, want ErrInvalid", err)
		}
		// A data resource is not a model.
		d := registered(t, s, testImage, vaccel.ResourceData)
		if _, err := s.TorchModelRun(d, one, 1); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("data resource: %v, want ErrInvalid", err)
		}
		// A corrupt model fails to load, and the session stays usable.
		c := registered(t, s, bad, vaccel.ResourceModel)
		wantReason(t, "corrupt model", s.TorchModelLoad(c), "TorchModelLoad", vaccel.ErrBackend, "zip")
		if _, err := s.TorchModelRun(m, one, 1); err != nil {
			t.Errorf("run after the corrupt model: %v", err)
		}
		// Text instead of an image: the plugin cannot decode it.
		_, _, err = s.ImageClassification([]byte("this is text, not an image"))
		wantReason(t, "text image", err, "ImageClassification", 0, "decode")
	})
}

func TestTorchTensorConstructors(t *testing.T) {
	for name, f := range map[string]func() (*vaccel.TorchTensor, error){
		"short":    func() (*vaccel.TorchTensor, error) { return vaccel.NewTorchTensor(make([]float32, 5), 2, 3) },
		"long":     func() (*vaccel.TorchTensor, error) { return vaccel.NewTorchTensor(make([]float32, 7), 2, 3) },
		"negative": func() (*vaccel.TorchTensor, error) { return vaccel.NewTorchTensor(make([]float32, 6), -2, -3) },
		"overflow": func() (*vaccel.TorchTensor, error) { return vaccel.NewTorchTensor([]int8{1}, math.MaxInt64, 2) },
		"nil data": func() (*vaccel.TorchTensor, error) { return vaccel.NewTorchTensor([]float32(nil), 1) },
		"bytes": func() (*vaccel.TorchTensor, error) {
			return vaccel.NewTorchTensorBytes(make([]byte, 7), vaccel.TorchFloat, 2)
		},
		"bad dtype": func() (*vaccel.TorchTensor, error) { return vaccel.NewTorchTensorBytes(make([]byte, 8), 99, 2) },
	} {
		if _, err := f(); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// An empty tensor is fine as a value (zero elements).
	e, err := vaccel.NewTorchTensor([]float32{}, 0, 3)
	if err != nil || e.Bytes() != nil || len(e.Dims()) != 2 {
		t.Errorf("empty tensor: %v", err)
	}
	// A scalar has no dims and one value.
	if _, err := vaccel.NewTorchTensor([]int64{4}); err != nil {
		t.Errorf("scalar: %v", err)
	}
}

// wantReason checks that err is an *Error of op with code (any code when
// 0) whose Message, the library's reason, contains word.
func wantReason(t *testing.T, what string, err error, op string, code vaccel.Code, word string) {
	t.Helper()
	var e *vaccel.Error
	switch {
	case !errors.As(err, &e):
		t.Errorf("%s: %v, want an *Error", what, err)
	case e.Op != op || (code != 0 && e.Code != code):
		t.Errorf("%s: %v, want %v from %s", what, err, code, op)
	case !strings.Contains(strings.ToLower(e.Message), word):
		t.Errorf("%s: %q does not give the reason (%q)", what, err, word)
	default:
		t.Logf("%s: %v", what, err)
	}
}
