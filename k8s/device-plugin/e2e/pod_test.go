// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	api "vaccel.dev/device-plugin/api/v1beta1"
)

// A pod is a program run the way a container of a pod is run: in a root of
// its own (a tmpfs) that holds only the "image" (the host's /usr and /etc
// and the build tree, read-only), a private /tmp, and the mounts of an
// Allocate response at their container paths, with the image's environment
// plus exactly the response's. It needs root (a mount namespace); the test
// binary re-executes itself to set the root up (podEnv names the spec).
const podEnv = "VACCEL_E2E_POD"

type podSpec struct {
	Root   string       // an empty folder, the pod's /
	Image  []string     // host folders seen at the same path, read-only
	Mounts []*api.Mount // from Allocate
	Env    []string
	Argv   []string
}

// podCommand returns the command that runs spec, not started.
func podCommand(spec podSpec) (*exec.Cmd, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = []string{podEnv + "=" + string(b)}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	return cmd, nil
}

// podMain runs in the re-executed test binary, in its new mount
// namespace: it builds the pod's root, enters it and executes the program.
func podMain(text string) {
	var spec podSpec
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "pod: %s: %v\n", what, err)
		os.Exit(125)
	}
	if err := json.Unmarshal([]byte(text), &spec); err != nil {
		fail("spec", err)
	}
	// Nothing mounted here is seen outside.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		fail("private mounts", err)
	}
	root := spec.Root
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "mode=0755"); err != nil {
		fail("root", err)
	}
	// Debian's /bin, /lib, /lib64 and /sbin are links into /usr.
	for _, top := range []string{"/bin", "/lib", "/lib64", "/sbin"} {
		if target, err := os.Readlink(top); err == nil {
			if err := os.Symlink(target, root+top); err != nil {
				fail(top, err)
			}
		} else if _, err := os.Stat(top); err == nil {
			spec.Image = append(spec.Image, top)
		}
	}
	bind := func(host, inside string, readOnly bool) {
		st, err := os.Stat(host)
		if err != nil {
			fail("mount source", err)
		}
		target := root + inside
		if st.IsDir() {
			err = os.MkdirAll(target, 0o755)
		} else if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
			var f *os.File
			if f, err = os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				f.Close()
			}
		}
		if err != nil {
			fail("mount point "+inside, err)
		}
		if err := syscall.Mount(host, target, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
			fail("mount "+host+" at "+inside, err)
		}
		if readOnly {
			if err := syscall.Mount("", target, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
				fail("read-only "+inside, err)
			}
		}
	}
	// The pod's own /tmp comes first: image folders may live under the
	// host's /tmp (a checkout there) and are bound on top of it.
	if err := os.MkdirAll(root+"/tmp", 0o1777); err != nil {
		fail("/tmp", err)
	}
	if err := syscall.Mount("tmpfs", root+"/tmp", "tmpfs", 0, "mode=1777"); err != nil {
		fail("/tmp", err)
	}
	for _, d := range append([]string{"/usr", "/etc"}, spec.Image...) {
		bind(d, d, true)
	}
	bind("/dev", "/dev", false)
	bind("/proc", "/proc", false)
	for _, m := range spec.Mounts {
		bind(m.HostPath, m.ContainerPath, m.ReadOnly)
	}
	if err := syscall.Chroot(root); err != nil {
		fail("chroot", err)
	}
	if err := os.Chdir("/"); err != nil {
		fail("chdir", err)
	}
	if err := syscall.Exec(spec.Argv[0], spec.Argv, spec.Env); err != nil {
		fail("exec "+strings.Join(spec.Argv, " "), err)
	}
}
