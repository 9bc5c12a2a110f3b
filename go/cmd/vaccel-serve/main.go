// SPDX-License-Identifier: Apache-2.0

// Vaccel-serve is a small HTTP inference service over vAccel: one session
// and one TorchScript model per process, shared by concurrent requests.
//
//	vaccel-serve -model resnet18.pt [-labels imagenet.txt] [-size 224]
//	             [-addr 127.0.0.1:8080] [-remote]
//
// The model runs on the plugin VACCEL_PLUGINS selects: the torch plugin, or
// with -remote the rpc plugin to an agent's torch plugin. JSON in and out:
//
//	GET  /healthz       the model is loaded (on the agent too): {"ok":true,"remote":false}
//	POST /v1/classify   {"image":"<base64 JPEG/PNG>","top":5}
//	                    -> {"classes":[{"index":N,"label":"...","prob":P},...],"elapsed_us":N}
//	POST /v1/infer      {"inputs":[{"dims":[1,3,224,224],"data":[...]}],"outputs":1}
//	                    -> {"outputs":[{"dims":[...],"data":[...]}]}   (float32 tensors)
//
// Errors are {"error":"..."}: 400 for requests vAccel or the model refuse
// (bad JSON, an image that does not decode, a shape the model does not
// take), 405 for a method other than POST, 500 otherwise. SIGINT and
// SIGTERM stop it after the requests in flight.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"vaccel"
	"vaccel/internal/imagenet"
)

func main() {
	model := flag.String("model", "", "TorchScript model file (required)")
	labels := flag.String("labels", os.Getenv("VACCEL_TORCH_LABELS"), "labels file, one per line")
	size := flag.Int("size", 224, "input width and height of the model (for /v1/classify)")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	remote := flag.Bool("remote", false, "run on an agent (the rpc plugin)")
	flag.Parse()
	if *model == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: vaccel-serve -model PATH [options]")
		flag.PrintDefaults()
		os.Exit(2)
	}
	if err := run(*model, *labels, *size, *addr, *remote); err != nil {
		log.Fatal("vaccel-serve: ", err)
	}
}

func run(modelPath, labelsPath string, size int, addr string, remote bool) error {
	labels, err := imagenet.Labels(labelsPath)
	if err != nil {
		return err
	}
	flags := vaccel.PluginTorch
	if remote {
		flags |= vaccel.PluginRemote
	}
	srv, err := newServer(modelPath, labels, size, flags)
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.handler()}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Shutdown lets the requests in flight finish; the session and the
	// model are closed (deferred above) only after that.
	drained := make(chan struct{})
	go func() {
		<-ctx.Done()
		_ = hs.Shutdown(context.Background())
		close(drained)
	}()
	log.Printf("vaccel-serve: serving %s on http://%s (remote %v)", modelPath, ln.Addr(), srv.sess.IsRemote())
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-drained
	return nil
}
