// SPDX-License-Identifier: Apache-2.0

// Package imagenet turns images into the input tensor of an ImageNet-style
// classifier (TorchScript ResNets and the like) and its output scores into
// labelled classes. Pure Go: the standard library's JPEG and PNG decoders
// and a bilinear resize.
package imagenet

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // registers the decoders image.Decode uses
	_ "image/png"
	"math"
	"os"
	"sort"
	"strings"
)

// The usual ImageNet normalization of RGB values in [0, 1].
var (
	mean = [3]float32{0.485, 0.456, 0.406}
	std  = [3]float32{0.229, 0.224, 0.225}
)

// Tensor decodes an encoded image (JPEG or PNG) and returns the 1 x 3 x
// size x size float32 input of a classifier, channels first: the image is
// scaled so that its shorter side is size*256/224, center-cropped to size
// x size (both in one bilinear sampling pass) and normalized.
func Tensor(encoded []byte, size int) ([]float32, error) {
	if size <= 0 {
		return nil, fmt.Errorf("imagenet: size %d", size)
	}
	src, _, err := image.Decode(bytes.NewReader(encoded))
	if err != nil {
		return nil, fmt.Errorf("imagenet: %w", err)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, fmt.Errorf("imagenet: empty image")
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)

	// Source pixels per output pixel, and the crop's offset in output
	// pixels of the resized image.
	resized := float64(size) * 256 / 224
	scale := float64(min(w, h)) / resized
	offX := (float64(w)/scale - float64(size)) / 2
	offY := (float64(h)/scale - float64(size)) / 2

	plane := size * size
	out := make([]float32, 3*plane)
	for y := 0; y < size; y++ {
		sy := clamp((float64(y)+offY+0.5)*scale-0.5, float64(h-1))
		y0 := int(sy)
		y1, fy := min(y0+1, h-1), float32(sy-float64(y0))
		for x := 0; x < size; x++ {
			sx := clamp((float64(x)+offX+0.5)*scale-0.5, float64(w-1))
			x0 := int(sx)
			x1, fx := min(x0+1, w-1), float32(sx-float64(x0))
			for c := 0; c < 3; c++ {
				p := func(px, py int) float32 { return float32(rgba.Pix[py*rgba.Stride+px*4+c]) }
				top := p(x0, y0)*(1-fx) + p(x1, y0)*fx
				bot := p(x0, y1)*(1-fx) + p(x1, y1)*fx
				v := (top*(1-fy) + bot*fy) / 255
				out[c*plane+y*size+x] = (v - mean[c]) / std[c]
			}
		}
	}
	return out, nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func clamp(v, hi float64) float64 {
	return math.Max(0, math.Min(v, hi))
}

// Labels reads a labels file: one label per line, line i naming class i.
// An empty path means no labels (nil).
func Labels(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var labels []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		labels = append(labels, strings.TrimSpace(sc.Text()))
	}
	return labels, sc.Err()
}

// A Class is one of a classifier's answers.
type Class struct {
	Index int     `json:"index"`
	Label string  `json:"label"` // "" when the labels do not cover Index
	Prob  float64 `json:"prob"`  // softmax probability
}

// Top returns the k classes with the highest scores, best first, with
// their softmax probabilities.
func Top(scores []float32, labels []string, k int) []Class {
	if len(scores) == 0 {
		return nil
	}
	hi := float64(scores[0])
	for _, s := range scores {
		hi = math.Max(hi, float64(s))
	}
	var sum float64
	for _, s := range scores {
		sum += math.Exp(float64(s) - hi)
	}
	classes := make([]Class, len(scores))
	for i, s := range scores {
		classes[i] = Class{Index: i, Prob: math.Exp(float64(s)-hi) / sum}
		if i < len(labels) {
			classes[i].Label = labels[i]
		}
	}
	sort.SliceStable(classes, func(a, b int) bool { return classes[a].Prob > classes[b].Prob })
	if k < len(classes) {
		classes = classes[:k]
	}
	return classes
}
