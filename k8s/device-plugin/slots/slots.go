// SPDX-License-Identifier: Apache-2.0

// Package slots keeps the tokens of the device plugin's slots. Each slot of
// the resource is one tenant of the agent, and its token lives in two files
// of the same name ("slot-<i>"):
//
//   - in the agent's tenants folder, mode 0600: the agent (vaccel-agent
//     --tenants) reads it and admits connections that present it;
//   - in the pod tokens folder, mode 0444: the file mounted into the
//     container that holds the slot (VACCEL_RPC_TOKEN_FILE). A bind mount
//     of a file ignores the host's folder permissions, so the folder itself
//     stays private (0700) while any user id inside the pod can read it.
//
// The tenants files belong to the agent's user: the agent refuses a tenant
// file that another user owns or that others may read. A plugin that runs
// as root gives them to that user (Owner).
//
// Files are replaced atomically (a temporary dot-file, then rename), so the
// agent never reads half a token. Files of other names are never touched:
// the tenants folder may hold tenants that are not slots.
package slots

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
)

const prefix = "slot-"

var slotName = regexp.MustCompile(`^slot-(0|[1-9][0-9]*)$`)

// Owner is the user and group the tenants files are given to; -1 keeps the
// plugin's own.
type Owner struct{ UID, GID int }

// Self is the Owner that changes nothing.
var Self = Owner{-1, -1}

// Store is the set of slot tokens. Its methods are safe for concurrent use.
type Store struct {
	tenants, pods string
	n             int
	owner         Owner
	mu            sync.Mutex
}

// Open makes sure slots 0..n-1 have a token in both folders (creating the
// folders, mode 0700, when missing). A slot whose two files exist and agree,
// and whose tenants file has mode 0600 and the right owner, keeps its
// token, so that restarting the plugin keeps the connections of the pods
// that hold slots; any other slot gets a new token. Slot files numbered n
// or more are removed (the agent then closes their connections).
func Open(tenantsDir, podTokensDir string, n int, owner Owner) (*Store, error) {
	if n < 1 {
		return nil, fmt.Errorf("slots: want at least one slot, not %d", n)
	}
	s := &Store{tenants: tenantsDir, pods: podTokensDir, n: n, owner: owner}
	for _, d := range []string{tenantsDir, podTokensDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("slots: %w", err)
		}
	}
	for i := 0; i < n; i++ {
		id := ID(i)
		a, errA := os.ReadFile(filepath.Join(tenantsDir, id))
		b, errB := os.ReadFile(filepath.Join(podTokensDir, id))
		if errA == nil && errB == nil && len(a) > 0 && bytes.Equal(a, b) &&
			s.ownedRight(filepath.Join(tenantsDir, id)) {
			continue
		}
		if _, err := s.Rotate(id); err != nil {
			return nil, err
		}
	}
	for _, d := range []string{tenantsDir, podTokensDir} {
		if err := s.removeBeyond(d); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) ownedRight(path string) bool {
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && (s.owner.UID < 0 || int(sys.Uid) == s.owner.UID) &&
		(s.owner.GID < 0 || int(sys.Gid) == s.owner.GID)
}

// ID is the device ID of slot i, which is also its files' name.
func ID(i int) string { return prefix + strconv.Itoa(i) }

// IDs lists every slot's ID in order.
func (s *Store) IDs() []string {
	ids := make([]string, s.n)
	for i := range ids {
		ids[i] = ID(i)
	}
	return ids
}

// Valid says whether id names one of the store's slots.
func (s *Store) Valid(id string) bool {
	m := slotName.FindStringSubmatch(id)
	if m == nil {
		return false
	}
	i, err := strconv.Atoi(m[1])
	return err == nil && i < s.n
}

// PodTokenPath is the host path of the file to mount into slot id's pod.
func (s *Store) PodTokenPath(id string) string { return filepath.Join(s.pods, id) }

// TenantPath is the host path of slot id's file in the agent's tenants
// folder.
func (s *Store) TenantPath(id string) string { return filepath.Join(s.tenants, id) }

// Rotate gives slot id a new random token (32 random bytes, hex) and
// returns it. The tenants file is replaced first: from then on the agent
// refuses the old token and closes the connections made with it.
func (s *Store) Rotate(id string) ([]byte, error) {
	if !s.Valid(id) {
		return nil, fmt.Errorf("slots: no slot %q", id)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("slots: %w", err)
	}
	tok := []byte(hex.EncodeToString(raw))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := writeAtomic(s.TenantPath(id), tok, 0o600, s.owner); err != nil {
		return nil, err
	}
	if err := writeAtomic(s.PodTokenPath(id), tok, 0o444, Self); err != nil {
		return nil, err
	}
	return tok, nil
}

func (s *Store) removeBeyond(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("slots: %w", err)
	}
	for _, e := range ents {
		if slotName.MatchString(e.Name()) && !s.Valid(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("slots: %w", err)
			}
		}
	}
	return nil
}

// writeAtomic replaces path with data: a dot-file in the same folder (the
// agent ignores dot-files), chmod, chown, fsync, rename.
func writeAtomic(path string, data []byte, mode os.FileMode, owner Owner) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("slots: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil && owner != Self {
		err = tmp.Chown(owner.UID, owner.GID)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("slots: %w", err)
	}
	return nil
}
