// SPDX-License-Identifier: Apache-2.0

package vaccel_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"vaccel"
)

// The examples run in the test binary, whose libvaccel has the noop, exec,
// torch and rpc plugins loaded (VACCEL_PLUGINS does that for a program).

func ExampleNewSession() {
	// No flags: the first loaded plugin (here the noop plugin).
	sess, err := vaccel.NewSession(0)
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Noop(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("noop done, remote:", sess.IsRemote())
	// Output: noop done, remote: false
}

func ExampleSession_Exec() {
	// The exec plugin runs functions from shared libraries;
	// libmytestlib.so's mytestfunc doubles an int32.
	lib := os.Getenv("VACCEL_TEST_LIB")
	sess, err := vaccel.NewSession(vaccel.PluginGeneric)
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	in, out := int32(21), int32(0)
	err = sess.Exec(lib, "mytestfunc",
		[]vaccel.Arg{vaccel.Int32(&in)},  // read
		[]vaccel.Arg{vaccel.Int32(&out)}) // write: the result lands in out
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out)
	// Output: 42
}

func ExampleSession_Genop() {
	// Any op as argument lists (docs/arguments.md): here exec, whose
	// layout is read = [op, library, symbol, the function's reads...],
	// write = [the function's writes...].
	lib := os.Getenv("VACCEL_TEST_LIB")
	sess, err := vaccel.NewSession(vaccel.PluginGeneric)
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	in, out := int32(-4), int32(0)
	err = sess.Genop(
		[]vaccel.Arg{vaccel.Op(vaccel.OpExec), vaccel.String(lib), vaccel.String("mytestfunc"),
			vaccel.Int32(&in)},
		[]vaccel.Arg{vaccel.Int32(&out)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out)
	// Output: -8
}

func ExampleSession_TorchModelRun() {
	// two_io.pt computes (a + b, a * b).
	path := filepath.Join(os.Getenv("VACCEL_TEST_TORCH_DATA"), "two_io.pt")
	sess, err := vaccel.NewSession(vaccel.PluginTorch)
	if err != nil {
		fmt.Println(err) // no torch plugin loaded: ErrNotSupported
		return
	}
	defer sess.Close()
	model, err := vaccel.NewResource(path, vaccel.ResourceModel)
	if err != nil {
		log.Fatal(err)
	}
	defer model.Close()
	if err := model.Register(sess); err != nil {
		log.Fatal(err)
	}
	a, _ := vaccel.NewTorchTensor([]float32{1, 2, 3, 4}, 2, 2)
	b, _ := vaccel.NewTorchTensor([]float32{10, 10, 10, 10}, 2, 2)
	out, err := sess.TorchModelRun(model, []*vaccel.TorchTensor{a, b}, 2)
	if err != nil {
		log.Fatal(err)
	}
	sum, _ := vaccel.TorchTensorData[float32](out[0])
	prod, _ := vaccel.TorchTensorData[float32](out[1])
	fmt.Println(out[0].Dims(), sum, prod)
	// Output: [2 2] [11 12 13 14] [10 20 30 40]
}

func ExampleSession_ImageClassification() {
	sess, err := vaccel.NewSession(vaccel.PluginDebug)
	if err != nil {
		log.Fatal(err)
	}
	defer sess.Close()
	// The noop plugin answers every image with a fixed tag.
	text, _, err := sess.ImageClassification([]byte{0xff, 0xd8, 0xff})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(text)
	// Output: This is a dummy classification tag!
}

func ExampleError() {
	_, err := vaccel.NewResource("/no/such/model.pt", vaccel.ResourceModel)
	var e *vaccel.Error
	if errors.As(err, &e) {
		fmt.Println(e.Op, e.Code.Name())
	}
	fmt.Println(errors.Is(err, vaccel.ErrNotFound), errors.Is(err, fs.ErrNotExist))
	// Output:
	// NewResource VACCEL_ENOENT
	// true true
}

func ExampleNewTorchTensor() {
	pixels := make([]float32, 3*4*4)
	t, err := vaccel.NewTorchTensor(pixels, 1, 3, 4, 4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.DataType(), t.Dims(), len(t.Bytes()))
	_, err = vaccel.NewTorchTensor(pixels, 1, 3, 5, 5)
	fmt.Println(errors.Is(err, vaccel.ErrInvalid))
	// Output:
	// VACCEL_TORCH_FLOAT [1 3 4 4] 192
	// true
}
