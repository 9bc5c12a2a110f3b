// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vaccel"
	"vaccel/internal/testenv"
)

func TestMain(m *testing.M) {
	if testenv.Torch != "" {
		log := filepath.Join(os.TempDir(), fmt.Sprintf("vaccel-classify-test-%d.log", os.Getpid()))
		defer os.Remove(log)
		if err := vaccel.Bootstrap(&vaccel.Config{Plugins: []string{testenv.Torch}, LogFile: log}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	code := m.Run()
	vaccel.Cleanup()
	os.Exit(code)
}

// tiny_cnn.pt has 10 classes; a labels file names them. The output is the
// header and the top-5, best first, with labels from the file.
func TestClassifyTop5(t *testing.T) {
	testenv.Need(t, "the torch plugin, tests/data and an image", testenv.Torch, testenv.TorchData, testenv.Image)
	labels := filepath.Join(t.TempDir(), "labels.txt")
	var names []string
	for i := 0; i < 10; i++ {
		names = append(names, "class-"+strconv.Itoa(i))
	}
	if err := os.WriteFile(labels, []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	model := filepath.Join(testenv.TorchData, "tiny_cnn.pt")
	if err := classify(&out, model, labels, testenv.Image, 32, 5, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "top-5 of ") {
		t.Fatalf("output:\n%s", out.String())
	}
	last := 2.0
	for i, l := range lines[1:] {
		var rank, index int
		var prob float64
		var label string
		if _, err := fmt.Sscanf(l, "%d. %f %s (%d)", &rank, &prob, &label, &index); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if rank != i+1 || prob > last || prob <= 0 || label != names[index] {
			t.Errorf("line %q", l)
		}
		last = prob
	}
	// A missing image and a corrupt one are errors, not crashes.
	if err := classify(&out, model, labels, filepath.Join(t.TempDir(), "none.jpg"), 32, 5, false); err == nil {
		t.Error("missing image: no error")
	}
	if err := classify(&out, model, labels, labels, 32, 5, false); err == nil {
		t.Error("a text file as image: no error")
	}
}

// The real example: ResNet18 (random weights, see scripts/make-models.py)
// with the ImageNet labels prints five labelled classes.
func TestClassifyResNet18(t *testing.T) {
	testenv.Need(t, "the torch plugin, an image and the labels", testenv.Torch, testenv.Image, testenv.Labels)
	model := filepath.Join(testenv.Models, "resnet18.pt")
	if _, err := os.Stat(model); testenv.Models == "" || err != nil {
		t.Skip("no data/models/resnet18.pt: run scripts/make-models.py --models resnet18")
	}
	var out bytes.Buffer
	if err := classify(&out, model, testenv.Labels, testenv.Image, 224, 5, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 || strings.Contains(out.String(), " ? (") {
		t.Fatalf("output:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}
