// SPDX-License-Identifier: Apache-2.0

package vaccel

import (
	"fmt"
	"math/bits"
	"unsafe"
)

// maxTensors bounds the inputs and outputs of one TorchModelRun, so that a
// bad count never turns into a huge allocation.
const maxTensors = 1 << 16

// TorchElement is the set of Go element types that map to a
// TorchDataType.
type TorchElement interface {
	uint8 | int8 | int16 | int32 | int64 | float32 | float64 | bool
}

// A TorchTensor is a dense, row-major tensor: a shape, an element type and
// the data, in Go memory. Inputs made by NewTorchTensor view the caller's
// slice without copying it; TorchModelRun's outputs own their data.
type TorchTensor struct {
	dims  []int64
	dtype TorchDataType
	data  unsafe.Pointer // the first byte, nil when empty
	size  int            // bytes
}

func torchTypeOf[T TorchElement]() TorchDataType {
	switch any(*new(T)).(type) {
	case uint8:
		return TorchByte
	case int8:
		return TorchChar
	case int16:
		return TorchShort
	case int32:
		return TorchInt
	case int64:
		return TorchLong
	case float32:
		return TorchFloat
	case float64:
		return TorchDouble
	default: // bool
		return TorchBool
	}
}

// elements is the product of dims, or an error when a dim is negative or
// the product overflows.
func elements(dims []int64) (uint64, error) {
	n := uint64(1)
	for _, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in %v", d, dims)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 {
			return 0, fmt.Errorf("dimensions %v overflow", dims)
		}
		n = lo
	}
	return n, nil
}

// NewTorchTensor makes a tensor of shape dims over data, whose element type
// gives the tensor's (float32: TorchFloat, int64: TorchLong, ...). data is
// not copied: the tensor views it, and the plugin reads it in place during
// TorchModelRun. len(data) must equal the product of dims (ErrInvalid
// otherwise).
func NewTorchTensor[T TorchElement](data []T, dims ...int64) (*TorchTensor, error) {
	n, err := elements(dims)
	if err != nil {
		return nil, invalid("NewTorchTensor", err.Error())
	}
	if n != uint64(len(data)) {
		return nil, invalid("NewTorchTensor", fmt.Sprintf("%d values do not fill dims %v (%d elements)",
			len(data), dims, n))
	}
	return &TorchTensor{
		dims:  append([]int64(nil), dims...),
		dtype: torchTypeOf[T](),
		data:  goPointer(data),
		size:  len(data) * int(unsafe.Sizeof(*new(T))),
	}, nil
}

// NewTorchTensorBytes makes a tensor of shape dims and element type dtype
// over the raw bytes of data (for TorchHalf, or data already in bytes).
// data is not copied. len(data) must equal the product of dims times
// dtype.Size() (ErrInvalid otherwise).
func NewTorchTensorBytes(data []byte, dtype TorchDataType, dims ...int64) (*TorchTensor, error) {
	const op = "NewTorchTensorBytes"
	es := dtype.Size()
	if es == 0 {
		return nil, invalid(op, fmt.Sprintf("unknown torch data type %d", int(dtype)))
	}
	n, err := elements(dims)
	if err != nil {
		return nil, invalid(op, err.Error())
	}
	if hi, need := bits.Mul64(n, uint64(es)); hi != 0 || need != uint64(len(data)) {
		return nil, invalid(op, fmt.Sprintf("%d bytes do not fill dims %v of %s (%d elements of %d bytes)",
			len(data), dims, dtype, n, es))
	}
	return &TorchTensor{dims: append([]int64(nil), dims...), dtype: dtype,
		data: goPointer(data), size: len(data)}, nil
}

// torchTensorFromC copies an output tensor that C owns into Go memory,
// 8-byte aligned so that any element type can view it.
func torchTensorFromC(dtype TorchDataType, dims []int64, data []byte) *TorchTensor {
	t := &TorchTensor{dims: append([]int64(nil), dims...), dtype: dtype, size: len(data)}
	if len(data) > 0 {
		words := make([]uint64, (len(data)+7)/8)
		t.data = unsafe.Pointer(&words[0])
		copy(t.Bytes(), data)
	}
	return t
}

// Dims returns the shape (a copy).
func (t *TorchTensor) Dims() []int64 { return append([]int64(nil), t.dims...) }

// DataType returns the element type.
func (t *TorchTensor) DataType() TorchDataType { return t.dtype }

// Bytes returns the tensor's data as bytes, viewing the tensor's memory.
func (t *TorchTensor) Bytes() []byte {
	if t.data == nil {
		return nil
	}
	return unsafe.Slice((*byte)(t.data), t.size)
}

// TorchTensorData returns the tensor's data as a []T that views the
// tensor's memory; ErrInvalid when T is not the tensor's element type.
func TorchTensorData[T TorchElement](t *TorchTensor) ([]T, error) {
	if want := torchTypeOf[T](); t.dtype != want {
		return nil, invalid("TorchTensorData", fmt.Sprintf("tensor holds %s, not %s", t.dtype, want))
	}
	if t.data == nil {
		return nil, nil
	}
	return unsafe.Slice((*T)(t.data), t.size/int(unsafe.Sizeof(*new(T)))), nil
}

// TorchModelLoad loads a ResourceModel registered with the session into the
// plugin once (TorchModelRun loads it on first use otherwise).
func (s *Session) TorchModelLoad(model *Resource) error {
	return s.doWith("TorchModelLoad", model, cTorchLoad)
}

// TorchModelRun runs the model's forward() on inputs and returns its first
// nrOutputs outputs. Inputs are read in place (no copy); outputs are copied
// into Go memory once.
//
// Errors: ErrPermission when the model is not registered with the session,
// ErrInvalid for a resource that is not a model or more outputs than the
// model gives, ErrBackend when libtorch refuses the inputs (wrong shape or
// type; the error's Message says why).
func (s *Session) TorchModelRun(model *Resource, inputs []*TorchTensor, nrOutputs int) ([]*TorchTensor, error) {
	const op = "TorchModelRun"
	for i, t := range inputs {
		if t == nil {
			return nil, invalid(op, fmt.Sprintf("input %d is nil", i))
		}
	}
	if len(inputs) > maxTensors || nrOutputs < 0 || nrOutputs > maxTensors {
		return nil, invalid(op, fmt.Sprintf("%d inputs and %d outputs (at most %d each)",
			len(inputs), nrOutputs, maxTensors))
	}
	var out []*TorchTensor
	err := s.doWith(op, model, func(h sessionHandle, r resourceHandle) (err error) {
		out, err = cTorchRun(h, r, inputs, nrOutputs)
		return err
	})
	return out, err
}
