// SPDX-License-Identifier: Apache-2.0

package vaccel_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"vaccel"
)

// Every call on a closed (or nil) session or resource returns an error;
// nothing panics.
func TestClosedAndNil(t *testing.T) {
	if err := useTransport(local); err != nil {
		t.Fatal(err)
	}
	s, err := vaccel.NewSession(vaccel.PluginDebug)
	if err != nil {
		t.Fatal(err)
	}
	r, err := vaccel.NewResource(noopPlugin, vaccel.ResourceLib)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	x := int32(1)
	in, _ := vaccel.NewTorchTensor([]float32{1}, 1)
	var nilSession *vaccel.Session
	for _, sess := range []*vaccel.Session{s, nilSession} {
		calls := map[string]error{
			"Noop":     sess.Noop(),
			"Exec":     sess.Exec(testLib, "mytestfunc", []vaccel.Arg{vaccel.Int32(&x)}, nil),
			"Genop":    sess.Genop([]vaccel.Arg{vaccel.Op(vaccel.OpNoop)}, nil),
			"Sgemm":    sess.Sgemm(1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{1}, 1),
			"Register": r.Register(sess),
		}
		_, _, calls["ImageClassification"] = sess.ImageClassification([]byte{1})
		_, _, _, calls["MinMax"] = sess.MinMax([]float64{1}, 0, 1)
		_, calls["TorchModelRun"] = sess.TorchModelRun(r, []*vaccel.TorchTensor{in}, 1)
		calls["TorchModelLoad"] = sess.TorchModelLoad(r)
		calls["ExecWithResource"] = sess.ExecWithResource(r, "f", nil, nil)
		for op, err := range calls {
			if sess == nil {
				if !errors.Is(err, vaccel.ErrInvalid) {
					t.Errorf("nil session: %s: %v, want ErrInvalid", op, err)
				}
				continue
			}
			if !errors.Is(err, vaccel.ErrClosed) || !errors.Is(err, fs.ErrClosed) {
				t.Errorf("closed session: %s: %v, want ErrClosed", op, err)
			}
		}
		if sess.ID() != 0 || sess.IsRemote() || sess.HasResource(r) {
			t.Errorf("closed session reports ID %d", sess.ID())
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := session(t, local, vaccel.PluginDebug)
	if err := r.Register(s2); !errors.Is(err, vaccel.ErrClosed) {
		t.Errorf("Register of a closed resource: %v", err)
	}
	if r.ID() != 0 || r.Paths() != nil || r.Refcount() != 0 {
		t.Errorf("closed resource reports ID %d", r.ID())
	}
	var nilRes *vaccel.Resource
	if err := nilRes.Register(s2); !errors.Is(err, vaccel.ErrInvalid) {
		t.Errorf("nil resource Register: %v", err)
	}
	if err := nilRes.Close(); err != nil {
		t.Errorf("nil resource Close: %v", err)
	}
}

func TestResources(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginDebug)
		s2 := session(t, tr, vaccel.PluginDebug)

		// A missing file is ErrNotFound, which is also fs.ErrNotExist, and
		// the reason names the path.
		missing := filepath.Join(t.TempDir(), "missing.pt")
		_, err := vaccel.NewResource(missing, vaccel.ResourceModel)
		var e *vaccel.Error
		if !errors.As(err, &e) || e.Code != vaccel.ErrNotFound || e.Op != "NewResource" ||
			!errors.Is(err, fs.ErrNotExist) || !strings.Contains(e.Message, missing) {
			t.Errorf("missing file: %v", err)
		}
		if _, err := vaccel.NewResourcePaths(nil, vaccel.ResourceData); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("no paths: %v", err)
		}
		if _, err := vaccel.NewResourceFromBytes(nil, vaccel.ResourceData, "x", true); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("empty bytes: %v", err)
		}
		if _, err := vaccel.NewResourceFromBytes([]byte("x"), vaccel.ResourceData, "a/b", false); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("file name with a slash: %v", err)
		}
		if _, err := vaccel.NewResource(noopPlugin, vaccel.ResourceType(7)); !errors.Is(err, vaccel.ErrInvalid) {
			t.Errorf("bad type: %v", err)
		}

		dir := t.TempDir()
		for _, n := range []string{"a.bin", "b.bin"} {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r := resource(t, dir, vaccel.ResourceData)
		if r.Type() != vaccel.ResourceData || len(r.Paths()) == 0 || r.ID() <= 0 {
			t.Errorf("directory resource: type %v paths %v id %d", r.Type(), r.Paths(), r.ID())
		}
		if err := r.Register(s); err != nil {
			t.Fatal(err)
		}
		// Registering again is a no-op, as in C; the refcount counts
		// sessions.
		if err := r.Register(s); err != nil {
			t.Errorf("second Register: %v", err)
		}
		if err := r.Register(s2); err != nil {
			t.Fatal(err)
		}
		if r.Refcount() != 2 || !s.HasResource(r) || !s2.HasResource(r) {
			t.Errorf("refcount %d", r.Refcount())
		}
		if err := r.Unregister(s); err != nil {
			t.Fatal(err)
		}
		// Unregistering what is not registered is ErrPermission.
		if err := r.Unregister(s); !errors.Is(err, vaccel.ErrPermission) {
			t.Errorf("second Unregister: %v, want ErrPermission", err)
		}
		if r.Refcount() != 1 || s.HasResource(r) {
			t.Errorf("after Unregister: refcount %d", r.Refcount())
		}
		mem, err := vaccel.NewResourceFromBytes([]byte("in memory"), vaccel.ResourceData, "", true)
		if err != nil {
			t.Fatal(err)
		}
		if err := mem.Register(s); err != nil {
			t.Errorf("memory resource Register: %v", err)
		}
		if err := mem.Close(); err != nil {
			t.Errorf("Close of a registered resource: %v", err)
		}
		if s.HasResource(mem) {
			t.Errorf("closed resource still registered")
		}
	})
}

func TestSessionFlags(t *testing.T) {
	if err := useTransport(local); err != nil {
		t.Fatal(err)
	}
	// A hint is a preference: a hint that no loaded plugin matches picks
	// the first local plugin (noop), as without flags.
	for _, flags := range []vaccel.PluginType{0, vaccel.PluginJetson} {
		s := session(t, local, flags)
		if err := s.Noop(); err != nil {
			t.Errorf("flags %v: Noop: %v", flags, err)
		}
	}
	// A hinted plugin lacking an op: another loaded plugin that has it
	// runs it (the torch plugin has no noop).
	if torchPlugin != "" {
		if err := session(t, local, vaccel.PluginTorch).Noop(); err != nil {
			t.Errorf("noop on a torch session: %v", err)
		}
	}
	if got := (vaccel.PluginTorch | vaccel.PluginRemote).String(); got != "TORCH|REMOTE" {
		t.Errorf("PluginType.String() = %q", got)
	}
}

// 64 goroutines share one session (and one resource) of the reference
// plugin on every transport, each checking its own results against Go's.
func TestConcurrentSession(t *testing.T) {
	need(t, "the reference plugin and libmytestlib", refPlugin, testLib)
	lib, err := os.ReadFile(testLib)
	if err != nil {
		t.Fatal(err)
	}
	forEachTransport(t, func(t *testing.T, tr transport) {
		s := session(t, tr, vaccel.PluginFPGA)
		res := registered(t, s, testLib, vaccel.ResourceLib)
		const workers, rounds = 64, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				errs <- worker(s, res, lib, w, rounds)
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

// worker runs rounds of noop, exec, exec with a resource and minmax with
// inputs of its own and checks every result.
func worker(s *vaccel.Session, res *vaccel.Resource, lib []byte, w, rounds int) error {
	for i := 0; i < rounds; i++ {
		if err := s.Noop(); err != nil {
			return err
		}
		in := int64(w*1000 + i)
		msg := []byte(fmt.Sprintf("worker %d round %d", w, i))
		var out int64
		echo := make([]byte, len(msg))
		read := []vaccel.Arg{vaccel.Int64(&in), vaccel.Bytes(msg)}
		write := []vaccel.Arg{vaccel.Int64(&out), vaccel.Bytes(echo)}
		ref := []refArg{{vaccel.ArgInt64, memOf(&in)}, {vaccel.ArgBuffer, msg}}
		var err error
		var h uint64
		if i%2 == 0 {
			err = s.Exec(refPlugin, "work", read, write)
			h = refExecHash(refPlugin, "work", ref)
		} else {
			err = s.ExecWithResource(res, "work", read, write)
			h = refExecResourceHash([][]byte{lib}, "work", ref)
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(memOf(&out), refFill(h, 0, 8)) || !bytes.Equal(echo, refFill(h, 1, len(echo))) {
			return fmt.Errorf("worker %d round %d: exec results differ from the reference", w, i)
		}
		data := []float64{float64(w), -1, float64(i)}
		got, min, max, err := s.MinMax(data, 0, 10)
		want, wantMin, wantMax := refMinMax(data, 0, 10)
		if err != nil || !equal(got, want) || min != wantMin || max != wantMax {
			return fmt.Errorf("worker %d round %d: minmax %v %v %v, %v", w, i, got, min, max, err)
		}
	}
	return nil
}

// Close waits for calls in progress and fails the ones that come after;
// racing them must be clean under -race.
func TestCloseWhileInUse(t *testing.T) {
	if err := useTransport(local); err != nil {
		t.Fatal(err)
	}
	s, err := vaccel.NewSession(vaccel.PluginDebug)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if err := s.Noop(); err != nil {
					if !errors.Is(err, vaccel.ErrClosed) {
						t.Errorf("Noop during Close: %v", err)
					}
					return
				}
			}
		}()
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	wg.Wait()
}
