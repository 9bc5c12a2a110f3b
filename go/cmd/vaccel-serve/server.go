// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"vaccel"
	"vaccel/internal/imagenet"
)

// maxBody bounds a request body (a base64 image or a JSON tensor).
const maxBody = 32 << 20

// A server answers inference requests with one vAccel session and one
// model, shared by all requests: the bindings let concurrent requests run
// their ops at once.
type server struct {
	sess   *vaccel.Session
	model  *vaccel.Resource
	labels []string
	size   int
}

func newServer(modelPath string, labels []string, size int, flags vaccel.PluginType) (*server, error) {
	sess, err := vaccel.NewSession(flags)
	if err != nil {
		return nil, err
	}
	model, err := vaccel.NewResource(modelPath, vaccel.ResourceModel)
	if err != nil {
		sess.Close()
		return nil, err
	}
	if err := model.Register(sess); err == nil {
		err = sess.TorchModelLoad(model)
	}
	if err != nil {
		model.Close()
		sess.Close()
		return nil, err
	}
	return &server{sess: sess, model: model, labels: labels, size: size}, nil
}

func (s *server) Close() error {
	errModel := s.model.Close()
	if err := s.sess.Close(); err != nil {
		return err
	}
	return errModel
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.health)
	mux.HandleFunc("/v1/classify", post(s.classify))
	mux.HandleFunc("/v1/infer", post(s.infer))
	return mux
}

// health answers 200 when the model is loaded on the session's plugin (on
// the agent, for a remote session: the call goes there; the plugin keeps
// the model cached, so this is cheap), 503 otherwise.
func (s *server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.sess.TorchModelLoad(s.model); err != nil {
		reply(w, http.StatusServiceUnavailable, errorReply{err.Error()})
		return
	}
	reply(w, http.StatusOK, map[string]any{"ok": true, "remote": s.sess.IsRemote()})
}

type classifyRequest struct {
	Image []byte `json:"image"` // the encoded image, base64 in JSON
	Top   int    `json:"top"`   // how many classes (default 5)
}

type classifyReply struct {
	Classes   []imagenet.Class `json:"classes"`
	ElapsedUS int64            `json:"elapsed_us"` // the model run
}

func (s *server) classify(w http.ResponseWriter, r *http.Request) {
	var req classifyRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Top <= 0 {
		req.Top = 5
	}
	pixels, err := imagenet.Tensor(req.Image, s.size)
	if err != nil {
		reply(w, http.StatusBadRequest, errorReply{err.Error()})
		return
	}
	in, err := vaccel.NewTorchTensor(pixels, 1, 3, int64(s.size), int64(s.size))
	if err != nil {
		fail(w, err)
		return
	}
	start := time.Now()
	out, err := s.sess.TorchModelRun(s.model, []*vaccel.TorchTensor{in}, 1)
	elapsed := time.Since(start)
	if err != nil {
		fail(w, err)
		return
	}
	scores, err := vaccel.TorchTensorData[float32](out[0])
	if err != nil {
		fail(w, err)
		return
	}
	reply(w, http.StatusOK, classifyReply{imagenet.Top(scores, s.labels, req.Top), elapsed.Microseconds()})
}

// A tensor in JSON: float32 values, row-major, and the shape.
type tensor struct {
	Dims []int64   `json:"dims"`
	Data []float32 `json:"data"`
}

type inferRequest struct {
	Inputs  []tensor `json:"inputs"`
	Outputs int      `json:"outputs"` // how many outputs (default 1)
}

type inferReply struct {
	Outputs []tensor `json:"outputs"`
}

func (s *server) infer(w http.ResponseWriter, r *http.Request) {
	var req inferRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Outputs <= 0 {
		req.Outputs = 1
	}
	in := make([]*vaccel.TorchTensor, len(req.Inputs))
	for i, t := range req.Inputs {
		var err error
		if in[i], err = vaccel.NewTorchTensor(t.Data, t.Dims...); err != nil {
			fail(w, err)
			return
		}
	}
	out, err := s.sess.TorchModelRun(s.model, in, req.Outputs)
	if err != nil {
		fail(w, err)
		return
	}
	var rep inferReply
	for i, o := range out {
		data, err := vaccel.TorchTensorData[float32](o)
		if err != nil {
			fail(w, fmt.Errorf("output %d: %w", i, err))
			return
		}
		rep.Outputs = append(rep.Outputs, tensor{o.Dims(), data})
	}
	reply(w, http.StatusOK, rep)
}

type errorReply struct {
	Error string `json:"error"`
}

// post allows only POST to h.
func post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			reply(w, http.StatusMethodNotAllowed, errorReply{"use POST"})
			return
		}
		h(w, r)
	}
}

// decode reads the JSON body into v, or answers 400 and returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		reply(w, http.StatusBadRequest, errorReply{"bad request: " + err.Error()})
		return false
	}
	return true
}

// fail answers with the error: 400 for input vAccel refused as invalid
// (a shape that does not fit, too many outputs) or that the model's engine
// refused, 500 for anything else.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, vaccel.ErrInvalid) || errors.Is(err, vaccel.ErrBackend) {
		status = http.StatusBadRequest
	}
	reply(w, status, errorReply{err.Error()})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
