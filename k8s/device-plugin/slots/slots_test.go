// SPDX-License-Identifier: Apache-2.0

package slots

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tenants, pods := filepath.Join(dir, "tenants"), filepath.Join(dir, "pods")
	s, err := Open(tenants, pods, 3, Self)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(t, tenants); m != 0o700 {
		t.Errorf("tenants folder mode %o", m)
	}
	if m := mode(t, pods); m != 0o700 {
		t.Errorf("pod tokens folder mode %o", m)
	}
	toks := map[string]bool{}
	for _, id := range s.IDs() {
		a, b := read(t, s.TenantPath(id)), read(t, s.PodTokenPath(id))
		if !bytes.Equal(a, b) || len(a) != 64 {
			t.Errorf("%s: tenant %q, pod %q", id, a, b)
		}
		if m := mode(t, s.TenantPath(id)); m != 0o600 {
			t.Errorf("%s: tenant file mode %o", id, m)
		}
		if m := mode(t, s.PodTokenPath(id)); m != 0o444 {
			t.Errorf("%s: pod token mode %o", id, m)
		}
		toks[string(a)] = true
	}
	if len(toks) != 3 {
		t.Errorf("%d distinct tokens for 3 slots", len(toks))
	}

	// A restart keeps agreeing tokens, replaces a slot whose files
	// disagree, drops slots beyond the new count and leaves other
	// tenants alone.
	keep := read(t, s.TenantPath("slot-0"))
	old1 := read(t, s.TenantPath("slot-1"))
	os.WriteFile(s.PodTokenPath("slot-1"), []byte("stale"), 0o444)
	os.WriteFile(filepath.Join(tenants, "remote-client"), []byte("x"), 0o600)
	s, err = Open(tenants, pods, 2, Self)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, s.TenantPath("slot-0")), keep) {
		t.Error("slot-0's token changed across a restart")
	}
	if bytes.Equal(read(t, s.TenantPath("slot-1")), old1) ||
		!bytes.Equal(read(t, s.TenantPath("slot-1")), read(t, s.PodTokenPath("slot-1"))) {
		t.Error("slot-1 with disagreeing files was not given a new token")
	}
	for _, p := range []string{filepath.Join(tenants, "slot-2"), filepath.Join(pods, "slot-2")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left after shrinking to 2 slots", p)
		}
	}
	if _, err := os.Stat(filepath.Join(tenants, "remote-client")); err != nil {
		t.Error("a tenant that is not a slot was removed")
	}
	if _, err := Open(tenants, pods, 0, Self); err == nil {
		t.Error("zero slots accepted")
	}
}

func TestRotate(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "t"), filepath.Join(dir, "p"), 2, Self)
	if err != nil {
		t.Fatal(err)
	}
	before := read(t, s.TenantPath("slot-1"))
	tok, err := s.Rotate("slot-1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(tok, before) || !bytes.Equal(tok, read(t, s.TenantPath("slot-1"))) ||
		!bytes.Equal(tok, read(t, s.PodTokenPath("slot-1"))) {
		t.Error("Rotate did not replace both files with the returned token")
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "t"))
	if len(ents) != 2 {
		t.Errorf("tenants folder holds %d files, want 2 (no temporary file left)", len(ents))
	}
	if _, err := s.Rotate("slot-2"); err == nil {
		t.Error("rotated a slot beyond the count")
	}
}

func TestValid(t *testing.T) {
	s := &Store{n: 12}
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"slot-0", true}, {"slot-11", true}, {"slot-12", false}, {"slot-01", false},
		{"slot--1", false}, {"slot-", false}, {"", false}, {"../slot-1", false},
		{"slot-1/x", false}, {"slot-99999999999999999999", false},
	} {
		if got := s.Valid(tc.id); got != tc.ok {
			t.Errorf("Valid(%q) = %v", tc.id, got)
		}
	}
}

// A root plugin gives the tenants files to the agent's user; a restart
// replaces a token whose file has the wrong owner or mode.
func TestOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files away")
	}
	dir := t.TempDir()
	tenants, pods := filepath.Join(dir, "t"), filepath.Join(dir, "p")
	s, err := Open(tenants, pods, 1, Owner{65532, 65533})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(s.TenantPath("slot-0"))
	if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 65532 || sys.Gid != 65533 {
		t.Errorf("tenant file owned by %d:%d", sys.Uid, sys.Gid)
	}
	before := read(t, s.TenantPath("slot-0"))
	if s, err = Open(tenants, pods, 1, Owner{65532, 65533}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, read(t, s.TenantPath("slot-0"))) {
		t.Error("a right token was replaced")
	}
	os.Chmod(s.TenantPath("slot-0"), 0o640)
	if s, err = Open(tenants, pods, 1, Owner{65532, 65533}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before, read(t, s.TenantPath("slot-0"))) || mode(t, s.TenantPath("slot-0")) != 0o600 {
		t.Error("a token in a file of mode 0640 was kept")
	}
	before = read(t, s.TenantPath("slot-0"))
	os.Chown(s.TenantPath("slot-0"), 0, 0)
	if s, err = Open(tenants, pods, 1, Owner{65532, 65533}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(before, read(t, s.TenantPath("slot-0"))) {
		t.Error("a token in a file of the wrong owner was kept")
	}
}
