// SPDX-License-Identifier: Apache-2.0

package imagenet

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A uniform image gives every pixel of a channel the same normalized
// value, whatever the scaling; a left/right split keeps its halves.
func TestTensor(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := 0; y < 200; y++ {
		for x := 0; x < 300; x++ {
			c := color.RGBA{R: 255, G: 0, B: 51, A: 255}
			if x >= 150 {
				c.R = 0
			}
			img.Set(x, y, c)
		}
	}
	out, err := Tensor(encodePNG(t, img), 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3*32*32 {
		t.Fatalf("%d values", len(out))
	}
	near := func(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-4 }
	red, noRed := (1-mean[0])/std[0], (0-mean[0])/std[0]
	green, blue := (0-mean[1])/std[1], (0.2-mean[2])/std[2]
	for y := 0; y < 32; y++ {
		if !near(out[y*32+0], red) || !near(out[y*32+31], noRed) {
			t.Fatalf("row %d: red %v .. %v", y, out[y*32], out[y*32+31])
		}
		for x := 0; x < 32; x++ {
			if !near(out[32*32+y*32+x], green) || !near(out[2*32*32+y*32+x], blue) {
				t.Fatalf("pixel %d,%d: %v %v", x, y, out[32*32+y*32+x], out[2*32*32+y*32+x])
			}
		}
	}
	if _, err := Tensor([]byte("not an image"), 32); err == nil {
		t.Error("text decoded as an image")
	}
	if _, err := Tensor(encodePNG(t, img), 0); err == nil {
		t.Error("size 0 accepted")
	}
}

func TestTopAndLabels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.txt")
	if err := os.WriteFile(path, []byte("a\nb\n c \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	labels, err := Labels(path)
	if err != nil || len(labels) != 3 || labels[2] != "c" {
		t.Fatalf("Labels = %q, %v", labels, err)
	}
	top := Top([]float32{1, 3, 2, 0}, labels, 2)
	if len(top) != 2 || top[0].Index != 1 || top[0].Label != "b" || top[1].Index != 2 || top[1].Prob >= top[0].Prob {
		t.Errorf("Top = %+v", top)
	}
	all := Top([]float32{0, 0}, nil, 5)
	if len(all) != 2 || math.Abs(all[0].Prob-0.5) > 1e-12 || all[0].Label != "" {
		t.Errorf("Top of equal scores = %+v", all)
	}
	if Top(nil, labels, 3) != nil {
		t.Error("Top of no scores")
	}
	if _, err := Labels(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing labels file")
	}
}
