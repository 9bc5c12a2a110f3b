// SPDX-License-Identifier: Apache-2.0

package vaccel

import "unsafe"

// An Arg is one argument of Exec, ExecWithResource and Genop (struct
// vaccel_arg): a typed view of the caller's Go memory. It copies nothing
// (String aside): during the call the plugin reads a read argument from,
// and writes a write argument into, the variable or slice the Arg was made
// from, so after the call the caller's own variable holds the result,
// exactly as in C:
//
//	in, out := int32(21), int32(0)
//	err := sess.Exec(lib, "mytestfunc",
//		[]vaccel.Arg{vaccel.Int32(&in)}, []vaccel.Arg{vaccel.Int32(&out)})
//	// out == 42
//
// The memory is borrowed for the duration of the call only; C keeps no
// pointer to it afterwards. cgo's rule is that it must not contain Go
// pointers, which the constructors' number types guarantee: a variable, a
// slice, or a number field of a struct that also holds pointers (only the
// field is lent) are all fine.
//
// A nil pointer or an empty slice makes an argument without data, which
// the op refuses with ErrInvalid where its layout needs data.
type Arg struct {
	ptr      unsafe.Pointer
	size     int
	typ      ArgType
	customID uint32
}

// Type returns the argument type.
func (a Arg) Type() ArgType { return a.typ }

// Size returns the size of the argument's data in bytes.
func (a Arg) Size() int { return a.size }

func scalar[T any](t ArgType, p *T) Arg {
	return Arg{ptr: unsafe.Pointer(p), size: int(unsafe.Sizeof(*new(T))), typ: t}
}

func array[T any](t ArgType, s []T) Arg {
	return Arg{ptr: goPointer(s), size: len(s) * int(unsafe.Sizeof(*new(T))), typ: t}
}

// Int8 is an ArgInt8 argument over *p.
func Int8(p *int8) Arg { return scalar(ArgInt8, p) }

// Int16 is an ArgInt16 argument over *p.
func Int16(p *int16) Arg { return scalar(ArgInt16, p) }

// Int32 is an ArgInt32 argument over *p.
func Int32(p *int32) Arg { return scalar(ArgInt32, p) }

// Int64 is an ArgInt64 argument over *p.
func Int64(p *int64) Arg { return scalar(ArgInt64, p) }

// Uint8 is an ArgUint8 argument over *p.
func Uint8(p *uint8) Arg { return scalar(ArgUint8, p) }

// Uint16 is an ArgUint16 argument over *p.
func Uint16(p *uint16) Arg { return scalar(ArgUint16, p) }

// Uint32 is an ArgUint32 argument over *p.
func Uint32(p *uint32) Arg { return scalar(ArgUint32, p) }

// Uint64 is an ArgUint64 argument over *p.
func Uint64(p *uint64) Arg { return scalar(ArgUint64, p) }

// Float32 is an ArgFloat32 argument over *p.
func Float32(p *float32) Arg { return scalar(ArgFloat32, p) }

// Float64 is an ArgFloat64 argument over *p.
func Float64(p *float64) Arg { return scalar(ArgFloat64, p) }

// Bool is an ArgBool argument over *p (one byte, 0 or 1, as C's bool).
func Bool(p *bool) Arg { return scalar(ArgBool, p) }

// Int8s is an ArgInt8Array argument over s.
func Int8s(s []int8) Arg { return array(ArgInt8Array, s) }

// Int16s is an ArgInt16Array argument over s.
func Int16s(s []int16) Arg { return array(ArgInt16Array, s) }

// Int32s is an ArgInt32Array argument over s.
func Int32s(s []int32) Arg { return array(ArgInt32Array, s) }

// Int64s is an ArgInt64Array argument over s.
func Int64s(s []int64) Arg { return array(ArgInt64Array, s) }

// Uint8s is an ArgUint8Array argument over s.
func Uint8s(s []uint8) Arg { return array(ArgUint8Array, s) }

// Uint16s is an ArgUint16Array argument over s.
func Uint16s(s []uint16) Arg { return array(ArgUint16Array, s) }

// Uint32s is an ArgUint32Array argument over s.
func Uint32s(s []uint32) Arg { return array(ArgUint32Array, s) }

// Uint64s is an ArgUint64Array argument over s.
func Uint64s(s []uint64) Arg { return array(ArgUint64Array, s) }

// Float32s is an ArgFloat32Array argument over s.
func Float32s(s []float32) Arg { return array(ArgFloat32Array, s) }

// Float64s is an ArgFloat64Array argument over s.
func Float64s(s []float64) Arg { return array(ArgFloat64Array, s) }

// Bools is an ArgBoolArray argument over s.
func Bools(s []bool) Arg { return array(ArgBoolArray, s) }

// Bytes is an ArgBuffer argument over b: opaque bytes, the usual type for
// payloads and for output buffers.
func Bytes(b []byte) Arg { return array(ArgBuffer, b) }

// Raw is an ArgRaw argument over b (the untyped form, accepted by ops in
// place of any type whose size it matches).
func Raw(b []byte) Arg { return array(ArgRaw, b) }

// Typed is an argument of type t over the bytes of b, for types without a
// constructor of their own (ArgChar, ArgUcharArray, ...). The size must suit
// t, or the op refuses it with ErrInvalid.
func Typed(t ArgType, b []byte) Arg { return array(t, b) }

// Custom is an ArgCustom argument over b with an application-defined type
// id.
func Custom(id uint32, b []byte) Arg {
	a := array(ArgCustom, b)
	a.customID = id
	return a
}

// String is an ArgString argument holding a NUL-terminated copy of s (Go
// strings are immutable and have no terminator). It is a read argument:
// a plugin writing into it changes the copy, not s. Use Bytes for output
// text.
func String(s string) Arg {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return array(ArgString, b)
}

// Op is Genop's first read argument: the op type as ArgUint8.
func Op(t OpType) Arg {
	v := uint8(t)
	return Uint8(&v)
}
