// SPDX-License-Identifier: Apache-2.0

// Package vaccel is the Go binding of vAccel: it runs acceleration ops
// (TorchScript inference, image classification, BLAS, functions from
// shared libraries, generic ops) through libvaccel, on the plugin that
// VACCEL_PLUGINS selects — locally, or on a host's vaccel-agent through the
// rpc plugin — with the same results as the C API.
//
// A program creates a Session, registers the Resources its ops use, and
// calls ops on the session:
//
//	sess, err := vaccel.NewSession(vaccel.PluginTorch)
//	if err != nil { ... }
//	defer sess.Close()
//	model, err := vaccel.NewResource("resnet18.pt", vaccel.ResourceModel)
//	if err != nil { ... }
//	defer model.Close()
//	if err := model.Register(sess); err != nil { ... }
//	in, err := vaccel.NewTorchTensor(pixels, 1, 3, 224, 224) // pixels []float32
//	out, err := sess.TorchModelRun(model, []*vaccel.TorchTensor{in}, 1)
//	scores, err := vaccel.TorchTensorData[float32](out[0])
//
// # Memory
//
// C memory holds everything libvaccel keeps: sessions, resources and
// profiling regions live there until Close. Go memory is lent to C for the
// duration of one call only: Arg values and input tensors view the
// caller's variables and slices without copying, so a write argument's
// result lands in the caller's variable, as in C. Resources from bytes and
// TorchModelRun's outputs are copies. The bindings check every length C
// relies on (slices against declared sizes and shapes) before calling C.
//
// # Errors
//
// Every failure is an *Error with the call (Op), the vAccel code (Code) and
// the library's reason (Message). Codes are sentinels for errors.Is
// (ErrNotFound, ErrInvalid, ErrNotSupported, ErrPermission, ErrBackend,
// ...); ErrNotFound also matches fs.ErrNotExist. Calls on a closed object
// return ErrClosed. Bad input never panics.
//
// # Concurrency
//
// Sessions and resources may be used from many goroutines at once. Close
// waits for the calls in progress. Bootstrap and Cleanup must not run while
// other goroutines use vAccel.
//
// # Building
//
// The package uses cgo and pkg-config ("vaccel"); see docs/go.md for
// building against an installed libvaccel or a build tree.
package vaccel
