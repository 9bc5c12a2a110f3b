// SPDX-License-Identifier: Apache-2.0

// Classify prints the top classes of an image under a TorchScript
// ImageNet-style classifier, run through vAccel:
//
//	classify -model resnet18.pt -labels imagenet.txt [-size 224] [-k 5] [-remote] IMAGE
//
// The image (JPEG or PNG) is decoded, resized and normalized in Go
// (internal/imagenet), the model runs on the plugin VACCEL_PLUGINS selects
// (the torch plugin, or with -remote the rpc plugin to an agent's torch
// plugin), and the output scores are ranked with their softmax
// probabilities. -labels defaults to VACCEL_TORCH_LABELS.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"vaccel"
	"vaccel/internal/imagenet"
)

func main() {
	model := flag.String("model", "", "TorchScript model file (required)")
	labels := flag.String("labels", os.Getenv("VACCEL_TORCH_LABELS"), "labels file, one per line")
	size := flag.Int("size", 224, "input width and height of the model")
	k := flag.Int("k", 5, "how many classes to print")
	remote := flag.Bool("remote", false, "run on an agent (the rpc plugin)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: classify -model PATH [options] IMAGE\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *model == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := classify(os.Stdout, *model, *labels, flag.Arg(0), *size, *k, *remote); err != nil {
		fmt.Fprintln(os.Stderr, "classify:", err)
		os.Exit(1)
	}
}

func classify(w io.Writer, modelPath, labelsPath, imagePath string, size, k int, remote bool) error {
	labels, err := imagenet.Labels(labelsPath)
	if err != nil {
		return err
	}
	img, err := os.ReadFile(imagePath)
	if err != nil {
		return err
	}
	pixels, err := imagenet.Tensor(img, size)
	if err != nil {
		return err
	}

	flags := vaccel.PluginTorch
	if remote {
		flags |= vaccel.PluginRemote
	}
	sess, err := vaccel.NewSession(flags)
	if err != nil {
		return err
	}
	defer sess.Close()
	model, err := vaccel.NewResource(modelPath, vaccel.ResourceModel)
	if err != nil {
		return err
	}
	defer model.Close()
	if err := model.Register(sess); err != nil {
		return err
	}
	in, err := vaccel.NewTorchTensor(pixels, 1, 3, int64(size), int64(size))
	if err != nil {
		return err
	}
	out, err := sess.TorchModelRun(model, []*vaccel.TorchTensor{in}, 1)
	if err != nil {
		return err
	}
	scores, err := vaccel.TorchTensorData[float32](out[0])
	if err != nil {
		return err
	}
	where := "local"
	if sess.IsRemote() {
		where = "remote"
	}
	fmt.Fprintf(w, "top-%d of %s (%s, %s):\n", k, imagePath, modelPath, where)
	for i, c := range imagenet.Top(scores, labels, k) {
		label := c.Label
		if label == "" {
			label = "?"
		}
		fmt.Fprintf(w, "%2d. %.4f  %s (%d)\n", i+1, c.Prob, label, c.Index)
	}
	return nil
}
