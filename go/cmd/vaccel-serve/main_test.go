// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"vaccel"
	"vaccel/internal/imagenet"
	"vaccel/internal/testenv"
)

// The server runs tests/data/tiny_cnn.pt (1x3x32x32 -> 1x10) on the torch
// plugin, locally and through a real agent, behind a real HTTP listener on
// loopback.

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

var agent *testenv.AgentProc

func runTests(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "vaccel-serve-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(tmp)
	if testenv.Agent != "" && testenv.RPC != "" && testenv.Torch != "" {
		if agent, err = testenv.StartAgent(tmp); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer agent.Stop()
		os.Setenv("VACCEL_RPC_ADDRESS", agent.Unix)
	}
	plugins := testenv.Plugins(testenv.Torch, testenv.RPC)
	if len(plugins) > 0 {
		err := vaccel.Bootstrap(&vaccel.Config{Plugins: plugins, LogFile: filepath.Join(tmp, "libvaccel.log")})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer vaccel.Cleanup()
	}
	return m.Run()
}

// send posts v as JSON and decodes the reply into out; returns the status.
func send(url string, v, out any) (int, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return 0, fmt.Errorf("reply of %s: %w", url, err)
	}
	return resp.StatusCode, nil
}

// mustSend is send in the test's goroutine: errors end the test.
func mustSend(t *testing.T, url string, v, out any) int {
	t.Helper()
	code, err := send(url, v, out)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestServer(t *testing.T) {
	testenv.Need(t, "the torch plugin, tests/data and an image", testenv.Torch, testenv.TorchData, testenv.Image)
	model := filepath.Join(testenv.TorchData, "tiny_cnn.pt")
	img, err := os.ReadFile(testenv.Image)
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

	for _, remote := range []bool{false, true} {
		name := map[bool]string{false: "local", true: "remote"}[remote]
		t.Run(name, func(t *testing.T) {
			flags := vaccel.PluginTorch
			if remote {
				testenv.Need(t, "vaccel-agent and the rpc plugin", testenv.Agent, testenv.RPC)
				flags |= vaccel.PluginRemote
			}
			srv, err := newServer(model, labels, 32, flags)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			hs := httptest.NewServer(srv.handler())
			defer hs.Close()

			// What the bindings compute directly, in this process.
			want := direct(t, srv, img)

			var health map[string]any
			resp, err := http.Get(hs.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			_ = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || health["remote"] != remote {
				t.Fatalf("healthz: %d %v", resp.StatusCode, health)
			}

			// Concurrent classifications all get the direct answer.
			var wg sync.WaitGroup
			errs := make(chan error, 32)
			for i := 0; i < 32; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var got classifyReply
					code, err := send(hs.URL+"/v1/classify", classifyRequest{Image: img, Top: 3}, &got)
					if err != nil || code != http.StatusOK {
						errs <- fmt.Errorf("classify: status %d, %v", code, err)
						return
					}
					if !reflect.DeepEqual(got.Classes, want) {
						errs <- fmt.Errorf("classify: %+v, want %+v", got.Classes, want)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			// /v1/infer gives the model's raw output.
			pixels, _ := imagenet.Tensor(img, 32)
			var inf inferReply
			if code := mustSend(t, hs.URL+"/v1/infer", inferRequest{Inputs: []tensor{{[]int64{1, 3, 32, 32}, pixels}}}, &inf); code != http.StatusOK {
				t.Fatalf("infer: status %d", code)
			}
			if len(inf.Outputs) != 1 || !reflect.DeepEqual(inf.Outputs[0].Dims, []int64{1, 10}) ||
				!reflect.DeepEqual(imagenet.Top(inf.Outputs[0].Data, labels, 3), want) {
				t.Errorf("infer: %+v", inf)
			}

			// Bad requests are 400/405 with a reason.
			for _, bad := range []struct {
				path string
				body any
			}{
				{"/v1/classify", classifyRequest{Image: []byte("not an image")}},
				{"/v1/classify", map[string]int{"unknown": 1}},
				{"/v1/infer", inferRequest{Inputs: []tensor{{[]int64{1, 3, 32, 31}, pixels}}}},
				{"/v1/infer", inferRequest{Inputs: []tensor{{[]int64{1, 2, 32, 32}, pixels[:2*32*32]}}}},
				{"/v1/infer", inferRequest{Inputs: []tensor{{[]int64{1, 3, 32, 32}, pixels}}, Outputs: 4}},
			} {
				var e errorReply
				if code := mustSend(t, hs.URL+bad.path, bad.body, &e); code != http.StatusBadRequest || e.Error == "" {
					t.Errorf("%s %+v: status %d, %q", bad.path, bad.body, code, e.Error)
				}
			}
			resp, err = http.Get(hs.URL + "/v1/classify")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("GET /v1/classify: %d", resp.StatusCode)
			}
		})
	}
}

// direct classifies img through the bindings, without HTTP.
func direct(t *testing.T, srv *server, img []byte) []imagenet.Class {
	t.Helper()
	pixels, err := imagenet.Tensor(img, 32)
	if err != nil {
		t.Fatal(err)
	}
	in, err := vaccel.NewTorchTensor(pixels, 1, 3, 32, 32)
	if err != nil {
		t.Fatal(err)
	}
	out, err := srv.sess.TorchModelRun(srv.model, []*vaccel.TorchTensor{in}, 1)
	if err != nil {
		t.Fatal(err)
	}
	scores, _ := vaccel.TorchTensorData[float32](out[0])
	return imagenet.Top(scores, srv.labels, 3)
}
