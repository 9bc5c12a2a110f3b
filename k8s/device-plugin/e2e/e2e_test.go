// SPDX-License-Identifier: Apache-2.0

// Package e2e drives the real vaccel-device-plugin binary against a fake
// kubelet (package fakekubelet) and the real vaccel-agent --tenants, and
// runs real vAccel programs in pods made of exactly what Allocate returned
// (pod_test.go). Run by meson (tests/k8s/meson.build), which names the
// binaries in the environment; without them the tests are skipped.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	api "vaccel.dev/device-plugin/api/v1beta1"
	"vaccel.dev/device-plugin/fakekubelet"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(podEnv); spec != "" {
		podMain(spec)
		return
	}
	if os.Getenv("VACCEL_TEST_AGENT") == "" {
		fmt.Println("e2e: skipped (run by meson: meson test k8s_device_plugin_e2e)")
		os.Exit(0)
	}
	if os.Geteuid() != 0 {
		fmt.Println("SKIP e2e: pods need a mount namespace (root)")
		os.Exit(77)
	}
	os.Exit(m.Run())
}

func env(t *testing.T, name string) string {
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set", name)
	}
	return v
}

func timeout(t *testing.T) context.Context {
	// A bound for a broken run only (meson's timeout is the real one).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// world is one node: a fake kubelet, the agent and the device plugin,
// with their folders in a temp folder.
type world struct {
	t       *testing.T
	dir     string
	kubelet *fakekubelet.Kubelet
	agent   *exec.Cmd
	plugin  *exec.Cmd
	sock    string
	tenants string
	pods    string
	image   []string // host folders a pod sees (the "image")
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, dir: t.TempDir()}
	for _, d := range []string{"kubelet", "run", "tenants", "pod-tokens", "roots"} {
		if err := os.Mkdir(filepath.Join(w.dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// The socket folder is what pods get: any user may go through it.
	os.Chmod(filepath.Join(w.dir, "run"), 0o755)
	w.sock = filepath.Join(w.dir, "run", "vaccel.sock")
	w.tenants = filepath.Join(w.dir, "tenants")
	w.pods = filepath.Join(w.dir, "pod-tokens")
	w.image = strings.Split(env(t, "VACCEL_TEST_IMAGE_DIRS"), ":")
	var err error
	if w.kubelet, err = fakekubelet.Start(filepath.Join(w.dir, "kubelet")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.stop(w.plugin)
		w.stop(w.agent)
		w.kubelet.Close()
	})
	return w
}

// see puts the real folder of a file the pods read into their image, when
// the file is reached through a symbolic link out of the image's folders
// (data/models is one).
func (w *world) see(file string) {
	if real, err := filepath.EvalSymlinks(file); err == nil && real != file {
		w.image = append(w.image, filepath.Dir(real))
	}
}

// start runs a program whose output goes to the test's log.
func (w *world) start(name string, argv ...string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout = &logWriter{w.t, name}
	cmd.Stderr = cmd.Stdout
	// It dies with the test process, even one that panics or times out.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("%s: %v", name, err)
	}
	return cmd
}

func (w *world) stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
}

type logWriter struct {
	t    *testing.T
	name string
}

func (l *logWriter) Write(b []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		l.t.Logf("%s: %s", l.name, line)
	}
	return len(b), nil
}

// startAgent starts vaccel-agent --tenants and waits until it listens.
func (w *world) startAgent() {
	r, wr, err := os.Pipe()
	if err != nil {
		w.t.Fatal(err)
	}
	args := []string{
		"-a", "unix://" + w.sock, "--socket-mode", "0666",
		"--tenants", w.tenants,
		"--plugins", env(w.t, "VACCEL_TEST_AGENT_PLUGINS"),
		"--exec-allow", env(w.t, "VACCEL_TEST_MYTESTLIB"),
		"--ready-fd", "3", "--log-level", "3",
	}
	cmd := exec.Command(env(w.t, "VACCEL_TEST_AGENT"), args...)
	cmd.Env = append(os.Environ(), "VACCEL_TORCH_THREADS=1")
	cmd.ExtraFiles = []*os.File{wr}
	cmd.Stdout = &logWriter{w.t, "agent"}
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	wr.Close()
	ready, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Contains(ready, []byte("READY")) {
		w.t.Fatalf("the agent did not start: %q", ready)
	}
	w.agent = cmd
}

func (w *world) startPlugin() {
	w.plugin = w.start("device-plugin", env(w.t, "VACCEL_TEST_DEVICE_PLUGIN"),
		"--slots", "2",
		"--device-plugin-dir", filepath.Join(w.dir, "kubelet"),
		"--agent-socket", w.sock,
		"--tenants-dir", w.tenants,
		"--pod-tokens-dir", w.pods,
		"--poll-interval", "100ms")
}

// connect waits for the plugin's registration and connects as the
// kubelet does.
func (w *world) connect() *fakekubelet.Plugin {
	r, err := w.kubelet.NextRegistration(timeout(w.t))
	if err != nil {
		w.t.Fatal(err)
	}
	if r.Version != "v1beta1" || r.ResourceName != "vaccel.dev/agent" || r.Endpoint != "vaccel-agent.sock" {
		w.t.Fatalf("registration %v", r)
	}
	p, err := w.kubelet.Dial(timeout(w.t), r)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(p.Close)
	return p
}

func (w *world) allocate(p *fakekubelet.Plugin, id string) *api.ContainerAllocateResponse {
	resp, err := p.Allocate(timeout(w.t), []string{id})
	if err != nil {
		w.t.Fatalf("Allocate %s: %v", id, err)
	}
	return resp.ContainerResponses[0]
}

// pod runs argv in a pod of resp. Its environment is the image's (PATH,
// and LD_LIBRARY_PATH where a real image has ld.so.cache) plus exactly
// resp's.
func (w *world) pod(resp *api.ContainerAllocateResponse, argv ...string) *exec.Cmd {
	root, err := os.MkdirTemp(filepath.Join(w.dir, "roots"), "pod")
	if err != nil {
		w.t.Fatal(err)
	}
	envs := []string{"PATH=/usr/bin:/bin", "LD_LIBRARY_PATH=" + env(w.t, "VACCEL_TEST_CLIENT_LIBS")}
	for k, v := range resp.Envs {
		envs = append(envs, k+"="+v)
	}
	cmd, err := podCommand(podSpec{Root: root, Image: w.image, Mounts: resp.Mounts, Env: envs, Argv: argv})
	if err != nil {
		w.t.Fatal(err)
	}
	return cmd
}

// runPod runs argv in a pod of resp and returns its output and exit code.
func (w *world) runPod(resp *api.ContainerAllocateResponse, argv ...string) (string, int) {
	cmd := w.pod(resp, argv...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatal(err)
	}
	w.t.Logf("pod %s: exit %d\n%s", filepath.Base(argv[0]), code, out)
	return string(out), code
}

// holder is a slot_client hold running in a pod.
type holder struct {
	cmd       *exec.Cmd
	in        io.WriteCloser
	out       *bufio.Scanner
	sess, res string
	t         *testing.T
}

func (w *world) hold(resp *api.ContainerAllocateResponse) *holder {
	cmd := w.pod(resp, env(w.t, "VACCEL_TEST_SLOT_CLIENT"), "hold", env(w.t, "VACCEL_TEST_DATA_FILE"))
	in, err := cmd.StdinPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	cmd.Stderr = &logWriter{w.t, "holder"}
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	h := &holder{cmd: cmd, in: in, out: bufio.NewScanner(out), t: w.t}
	if !h.out.Scan() {
		w.t.Fatal("holder: no HOLD line")
	}
	f := strings.Fields(h.out.Text())
	if len(f) != 3 || f[0] != "HOLD" {
		w.t.Fatalf("holder: %q", h.out.Text())
	}
	h.sess, h.res = f[1], f[2]
	w.t.Cleanup(h.close)
	return h
}

// noop asks the holder for one vaccel_noop on its session; its status.
func (h *holder) noop() string {
	if _, err := io.WriteString(h.in, "noop\n"); err != nil {
		return "broken pipe"
	}
	if !h.out.Scan() {
		return "no answer"
	}
	return h.out.Text()
}

func (h *holder) close() {
	if h.in != nil {
		h.in.Close()
		h.in = nil
		h.cmd.Wait()
	}
}

func token(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// results keeps the lines of torch_inference's output that are results.
func results(out string) []string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "top-1:") || (strings.HasPrefix(l, "  ") && strings.Contains(l, ". [")) {
			keep = append(keep, l)
		}
	}
	return keep
}

func TestDevicePlugin(t *testing.T) {
	w := newWorld(t)
	w.startAgent()
	w.startPlugin()
	p := w.connect()
	if _, err := p.WaitHealth(timeout(t), 2, "Healthy"); err != nil {
		t.Fatal(err)
	}

	// Allocate: the mounts and the environment, exactly.
	a := w.allocate(p, "slot-0")
	wantEnv := map[string]string{
		"VACCEL_PLUGINS":        "libvaccel-rpc.so",
		"VACCEL_RPC_ADDRESS":    "unix:///var/run/vaccel/vaccel.sock",
		"VACCEL_RPC_TOKEN_FILE": "/var/run/secrets/vaccel.dev/token",
	}
	if !reflect.DeepEqual(a.Envs, wantEnv) {
		t.Errorf("envs %v, want %v", a.Envs, wantEnv)
	}
	var mounts []string
	for _, m := range a.Mounts {
		mounts = append(mounts, fmt.Sprintf("%s <- %s ro=%v", m.ContainerPath, m.HostPath, m.ReadOnly))
	}
	sort.Strings(mounts)
	wantMounts := []string{
		"/var/run/secrets/vaccel.dev/token <- " + filepath.Join(w.pods, "slot-0") + " ro=true",
		"/var/run/vaccel <- " + filepath.Dir(w.sock) + " ro=true",
	}
	if !reflect.DeepEqual(mounts, wantMounts) {
		t.Errorf("mounts %v, want %v", mounts, wantMounts)
	}

	// A real program in the pod, through the agent, with correct results.
	out, code := w.runPod(a, env(t, "VACCEL_TEST_EXEC_EXAMPLE"), env(t, "VACCEL_TEST_MYTESTLIB"), "1")
	if code != 0 || !strings.Contains(out, "exec: mytestfunc(10) = 20") {
		t.Errorf("exec example in the pod: exit %d", code)
	}
	if torch := os.Getenv("VACCEL_TEST_TORCH_EXAMPLE"); torch != "" {
		args := []string{torch, env(t, "VACCEL_TEST_IMAGE"), env(t, "VACCEL_TEST_MODEL"), env(t, "VACCEL_TEST_LABELS"), "1"}
		for _, f := range args[1:4] {
			w.see(f)
		}
		out, code := w.runPod(a, args...)
		local := exec.Command(args[0], args[1:]...)
		local.Env = append(os.Environ(), "VACCEL_PLUGINS="+env(t, "VACCEL_TEST_TORCH_PLUGIN"), "VACCEL_TORCH_THREADS=1")
		want, err := local.CombinedOutput()
		if err != nil {
			t.Fatalf("torch_inference locally: %v\n%s", err, want)
		}
		got, exp := results(out), results(string(want))
		if code != 0 || len(exp) != 6 || !reflect.DeepEqual(got, exp) {
			t.Errorf("torch_inference in the pod (exit %d): %q, locally: %q", code, got, exp)
		}
	} else {
		t.Log("torch_inference: not built (no torch plugin); the exec example stands alone")
	}

	// Slot B cannot see slot A's session or resource.
	b := w.allocate(p, "slot-1")
	h := w.hold(a)
	out, code = w.runPod(b, env(t, "VACCEL_TEST_SLOT_CLIENT"), "peek", h.sess, h.res)
	for _, want := range []string{
		"destroy-session 2 unknown session " + h.sess,
		"sync-resource 2 unknown resource " + h.res,
		"stats sessions=1 resources=0",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("slot B peeking at slot A: no %q", want)
		}
	}
	if got := h.noop(); got != "noop 0" {
		t.Errorf("slot A after slot B's attempts: %q", got)
	}

	// A wrong token is refused: the same pod with another token file.
	bad := filepath.Join(w.dir, "wrong-token")
	if err := os.WriteFile(bad, []byte("0123456789abcdef"), 0o444); err != nil {
		t.Fatal(err)
	}
	wrong := &api.ContainerAllocateResponse{Envs: a.Envs}
	for _, m := range a.Mounts {
		host := m.HostPath
		if strings.HasSuffix(m.ContainerPath, "/token") {
			host = bad
		}
		wrong.Mounts = append(wrong.Mounts, &api.Mount{ContainerPath: m.ContainerPath, HostPath: host, ReadOnly: m.ReadOnly})
	}
	out, code = w.runPod(wrong, env(t, "VACCEL_TEST_EXEC_EXAMPLE"), env(t, "VACCEL_TEST_MYTESTLIB"), "1")
	if code == 0 || !strings.Contains(out, "authentication failed") {
		t.Errorf("a wrong token: exit %d", code)
	}

	// A plugin restart keeps the slots' tokens and the connections made
	// with them.
	before := token(t, filepath.Join(w.tenants, "slot-0"))
	w.stop(w.plugin)
	for {
		_, err := p.NextList(timeout(t))
		if err == fakekubelet.ErrStreamEnded {
			break
		}
		if err != nil {
			t.Fatalf("ListAndWatch after the plugin stopped: %v", err)
		}
	}
	if got := h.noop(); got != "noop 0" {
		t.Errorf("slot A while the plugin is down: %q", got)
	}
	w.startPlugin()
	p = w.connect()
	if _, err := p.WaitHealth(timeout(t), 2, "Healthy"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, token(t, filepath.Join(w.tenants, "slot-0"))) {
		t.Error("the plugin restart changed slot-0's token")
	}
	if got := h.noop(); got != "noop 0" {
		t.Errorf("slot A after the plugin restarted: %q", got)
	}

	// The kubelet restarts (its folder is emptied): the plugin registers
	// again.
	if err := w.kubelet.Restart(); err != nil {
		t.Fatal(err)
	}
	p = w.connect()
	if _, err := p.WaitHealth(timeout(t), 2, "Healthy"); err != nil {
		t.Fatal(err)
	}
	if got := h.noop(); got != "noop 0" {
		t.Errorf("slot A after the kubelet restarted: %q", got)
	}

	// A new pod on slot-0: the old pod's connection is closed.
	a2 := w.allocate(p, "slot-0")
	if got := h.noop(); got == "noop 0" {
		t.Error("the previous holder of slot-0 still works after the slot was allocated again")
	}
	h.close()
	if out, code := w.runPod(a2, env(t, "VACCEL_TEST_EXEC_EXAMPLE"), env(t, "VACCEL_TEST_MYTESTLIB"), "1"); code != 0 ||
		!strings.Contains(out, "exec: mytestfunc(10) = 20") {
		t.Errorf("the new pod on slot-0: exit %d", code)
	}

	// Agent down: unhealthy; back: healthy, and a pod works again.
	w.stop(w.agent)
	if _, err := p.WaitHealth(timeout(t), 2, "Unhealthy"); err != nil {
		t.Fatal(err)
	}
	w.startAgent()
	if _, err := p.WaitHealth(timeout(t), 2, "Healthy"); err != nil {
		t.Fatal(err)
	}
	b2 := w.allocate(p, "slot-1")
	if out, code := w.runPod(b2, env(t, "VACCEL_TEST_EXEC_EXAMPLE"), env(t, "VACCEL_TEST_MYTESTLIB"), "1"); code != 0 ||
		!strings.Contains(out, "exec: mytestfunc(10) = 20") {
		t.Errorf("a pod after the agent came back: exit %d", code)
	}
}
