// SPDX-License-Identifier: Apache-2.0

package vaccel

import (
	"fmt"
	"math"
	"math/bits"
)

// Noop calls the session plugin's no-op: the cost of one call through the
// bindings, libvaccel and the plugin (and the agent, for a remote session).
func (s *Session) Noop() error {
	return s.do("Noop", cNoop)
}

// Exec runs the function symbol from the shared library at library on the
// plugin's side (the exec plugin, or an agent's): int symbol(struct
// vaccel_arg *read, size_t nr_read, struct vaccel_arg *write, size_t
// nr_write). The function reads the read arguments and fills the write
// arguments, whose results land in the caller's variables (see Arg).
//
// Errors: ErrNotFound when the library cannot be opened, ErrNotImplemented
// when it lacks the symbol, ErrBackend when the function returns non-zero,
// ErrPermission when an agent does not allow the library.
func (s *Session) Exec(library, symbol string, read, write []Arg) error {
	return s.do("Exec", func(h sessionHandle) error {
		return cExec(h, library, symbol, read, write)
	})
}

// ExecWithResource is Exec with the library taken from a ResourceLib
// registered with the session: its files are loaded in order and symbol is
// looked up in the last one.
func (s *Session) ExecWithResource(lib *Resource, symbol string, read, write []Arg) error {
	return s.doWith("ExecWithResource", lib, func(h sessionHandle, r resourceHandle) error {
		return cExecWithResource(h, r, symbol, read, write)
	})
}

// Genop runs any op given as argument lists: read[0] is the op type (Op),
// the rest follow the op's layout (docs/arguments.md). Write arguments'
// results land in the caller's variables, as with Exec.
func (s *Session) Genop(read, write []Arg) error {
	return s.do("Genop", func(h sessionHandle) error {
		return cGenop(h, read, write)
	})
}

// Sgemm computes c = alpha * a(m x k) * b(k x n) + beta * c(m x n) on
// row-major float32 matrices with leading dimensions lda, ldb and ldc (at
// least k, n and n). c is updated in place. The slices must hold at least
// m*lda, k*ldb and m*ldc values: the bindings check that before calling C,
// which cannot.
func (s *Session) Sgemm(m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) error {
	const op = "Sgemm"
	// Dimensions that C refuses anyway are left to C, so that the error
	// is the library's; the lengths matter only once they are valid.
	if m > 0 && n > 0 && k > 0 && lda >= k && ldb >= n && ldc >= n {
		for _, mat := range []struct {
			name     string
			rows, ld int
			len      int
		}{{"a", m, lda, len(a)}, {"b", k, ldb, len(b)}, {"c", m, ldc, len(c)}} {
			hi, need := bits.Mul64(uint64(mat.rows), uint64(mat.ld))
			if hi != 0 || need > uint64(mat.len) {
				return invalid(op, fmt.Sprintf("matrix %s has %d floats, %d x %d are needed",
					mat.name, mat.len, mat.rows, mat.ld))
			}
		}
	}
	return s.do(op, func(h sessionHandle) error {
		return cSgemm(h, int64(m), int64(n), int64(k), alpha, a, int64(lda), b,
			int64(ldb), beta, c, int64(ldc))
	})
}

// MinMax returns in's values clamped to [low, high], and in's minimum and
// maximum.
func (s *Session) MinMax(in []float64, low, high int) (out []float64, min, max float64, err error) {
	const op = "MinMax"
	if len(in) > math.MaxInt32 || low < math.MinInt32 || low > math.MaxInt32 ||
		high < math.MinInt32 || high > math.MaxInt32 {
		return nil, 0, 0, invalid(op, "length or threshold out of C int range")
	}
	out = make([]float64, len(in))
	err = s.do(op, func(h sessionHandle) error {
		min, max, err = cMinMax(h, in, low, high, out)
		return err
	})
	if err != nil {
		return nil, 0, 0, err
	}
	return out, min, max, nil
}
