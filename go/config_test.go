// SPDX-License-Identifier: Apache-2.0

package vaccel_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"vaccel"
)

func TestConfigFromEnv(t *testing.T) {
	t.Setenv("VACCEL_PLUGINS", noopPlugin+":"+execPlugin)
	t.Setenv("VACCEL_LOG_LEVEL", "3")
	t.Setenv("VACCEL_PROFILING_ENABLED", "1")
	cfg, err := vaccel.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Plugins) < 1 || cfg.Plugins[0] != noopPlugin || cfg.LogLevel != vaccel.LogInfo || !cfg.Profiling {
		t.Errorf("ConfigFromEnv = %+v", cfg)
	}
	// The library's parser refuses what it refuses in C.
	t.Setenv("VACCEL_LOG_LEVEL", "9")
	if _, err := vaccel.ConfigFromEnv(); !errors.Is(err, vaccel.ErrInvalid) {
		t.Errorf("VACCEL_LOG_LEVEL=9: %v, want ErrInvalid", err)
	}
}

func TestBootstrapAndCleanup(t *testing.T) {
	defer func() {
		// Leave the runtime as the other tests expect it.
		current = transport{}
		if err := useTransport(local); err != nil {
			t.Fatal(err)
		}
	}()
	if err := useTransport(local); err != nil {
		t.Fatal(err)
	}
	if !vaccel.IsInitialized() || vaccel.Rundir() == "" {
		t.Fatalf("initialized %v, rundir %q", vaccel.IsInitialized(), vaccel.Rundir())
	}
	cfg := vaccel.CurrentConfig()
	if cfg == nil || len(cfg.Plugins) != len(allPlugins()) || !cfg.Profiling {
		t.Errorf("CurrentConfig = %+v", cfg)
	}
	s, err := vaccel.NewSession(vaccel.PluginDebug)
	if err != nil {
		t.Fatal(err)
	}
	// Cleanup releases the session underneath its Go value: calls fail
	// cleanly, Close still frees it.
	if err := vaccel.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if vaccel.IsInitialized() || vaccel.Rundir() != "" || vaccel.CurrentConfig() != nil {
		t.Errorf("still initialized after Cleanup")
	}
	if err := s.Noop(); !errors.Is(err, vaccel.ErrInvalid) {
		t.Errorf("Noop after Cleanup: %v, want ErrInvalid", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after Cleanup: %v", err)
	}
	// A plugin that does not exist fails the bootstrap, and sessions
	// then report that error.
	missing := t.TempDir() + "/libvaccel-missing.so"
	err = vaccel.Bootstrap(&vaccel.Config{Plugins: []string{missing}})
	if !errors.Is(err, vaccel.ErrNotFound) {
		t.Errorf("Bootstrap with a missing plugin: %v, want ErrNotFound", err)
	}
	if _, err := vaccel.NewSession(0); err == nil {
		t.Errorf("NewSession after a failed bootstrap succeeded")
	}
	// A file that is not a plugin.
	err = vaccel.Bootstrap(&vaccel.Config{Plugins: []string{testImage}})
	if err == nil {
		t.Errorf("Bootstrap with a JPEG as plugin succeeded")
	}
	// From the environment.
	t.Setenv("VACCEL_PLUGINS", noopPlugin)
	if err := vaccel.Bootstrap(nil); err != nil {
		t.Fatal(err)
	}
	if cfg := vaccel.CurrentConfig(); len(cfg.Plugins) != 1 || cfg.Plugins[0] != noopPlugin {
		t.Errorf("Bootstrap(nil) config %+v", cfg)
	}
}

func TestProfRegion(t *testing.T) {
	if err := useTransport(local); err != nil {
		t.Fatal(err)
	}
	if !vaccel.ProfEnabled() {
		t.Fatal("profiling is off although the tests bootstrap with it")
	}
	r, err := vaccel.NewProfRegion("go_test_region")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < 3; i++ {
		if err := r.Start(); err != nil {
			t.Fatal(err)
		}
		if err := r.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	before := vaccel.ProfTimestamp()
	if err := r.AddSample(vaccel.ProfSample{Start: before, Duration: 1500}); err != nil {
		t.Fatal(err)
	}
	samples := r.Samples()
	if len(samples) != 4 || samples[3].Start != before || samples[3].Duration != 1500 {
		t.Errorf("samples %+v", samples)
	}
	if r.Total() < 1500 || r.Name() != "go_test_region" {
		t.Errorf("total %v name %q", r.Total(), r.Name())
	}
	if err := r.Print(); err != nil {
		t.Error(err)
	}
	r.Close()
	if err := r.Start(); !errors.Is(err, vaccel.ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}

// The Go constants carry C's values: C's own tables name them.
func TestEnumsMatchC(t *testing.T) {
	codes := map[vaccel.Code]string{
		vaccel.ErrInvalid: "EINVAL", vaccel.ErrNoMemory: "ENOMEM", vaccel.ErrNotSupported: "ENOTSUP",
		vaccel.ErrInProgress: "EINPROGRESS", vaccel.ErrBusy: "EBUSY", vaccel.ErrExists: "EEXIST",
		vaccel.ErrNotFound: "ENOENT", vaccel.ErrBadPlugin: "ELIBBAD", vaccel.ErrNoDevice: "ENODEV",
		vaccel.ErrIO: "EIO", vaccel.ErrSession: "ESESS", vaccel.ErrBackend: "EBACKEND",
		vaccel.ErrNoExec: "ENOEXEC", vaccel.ErrNameTooLong: "ENAMETOOLONG", vaccel.ErrTooManyUsers: "EUSERS",
		vaccel.ErrPermission: "EPERM", vaccel.ErrLoop: "ELOOP", vaccel.ErrTooManyLinks: "EMLINK",
		vaccel.ErrNoSpace: "ENOSPC", vaccel.ErrNotDir: "ENOTDIR", vaccel.ErrReadOnly: "EROFS",
		vaccel.ErrAccess: "EACCES", vaccel.ErrClosed: "EBADF", vaccel.ErrRemoteIO: "EREMOTEIO",
		vaccel.ErrFault: "EFAULT", vaccel.ErrRange: "ERANGE", vaccel.ErrAgain: "EAGAIN",
		vaccel.ErrNotImplemented: "ENOSYS",
	}
	for c, name := range codes {
		if c.Name() != "VACCEL_"+name {
			t.Errorf("Code %d is %s in C, not VACCEL_%s", int(c), c.Name(), name)
		}
	}
	ops := []string{"NOOP", "EXEC", "EXEC_WITH_RESOURCE", "IMAGE_CLASSIFY", "IMAGE_DETECT",
		"IMAGE_SEGMENT", "IMAGE_POSE", "IMAGE_DEPTH", "TF_MODEL_LOAD", "TF_MODEL_UNLOAD",
		"TF_MODEL_RUN", "TFLITE_MODEL_LOAD", "TFLITE_MODEL_UNLOAD", "TFLITE_MODEL_RUN",
		"TORCH_MODEL_LOAD", "TORCH_MODEL_RUN", "TORCH_SGEMM", "BLAS_SGEMM", "FPGA_ARRAYCOPY",
		"FPGA_MMULT", "FPGA_PARALLEL", "FPGA_VECTORADD", "MINMAX", "OPENCV"}
	consts := []vaccel.OpType{vaccel.OpNoop, vaccel.OpExec, vaccel.OpExecWithResource,
		vaccel.OpImageClassify, vaccel.OpImageDetect, vaccel.OpImageSegment, vaccel.OpImagePose,
		vaccel.OpImageDepth, vaccel.OpTFModelLoad, vaccel.OpTFModelUnload, vaccel.OpTFModelRun,
		vaccel.OpTFLiteModelLoad, vaccel.OpTFLiteModelUnload, vaccel.OpTFLiteModelRun,
		vaccel.OpTorchModelLoad, vaccel.OpTorchModelRun, vaccel.OpTorchSgemm, vaccel.OpBlasSgemm,
		vaccel.OpFPGAArrayCopy, vaccel.OpFPGAMMult, vaccel.OpFPGAParallel, vaccel.OpFPGAVectorAdd,
		vaccel.OpMinMax, vaccel.OpOpenCV}
	for i, op := range consts {
		if op.String() != "VACCEL_OP_"+ops[i] {
			t.Errorf("OpType %d is %s in C, not VACCEL_OP_%s", int(op), op, ops[i])
		}
	}
	args := []vaccel.ArgType{vaccel.ArgRaw, vaccel.ArgInt8, vaccel.ArgInt8Array, vaccel.ArgInt16,
		vaccel.ArgInt16Array, vaccel.ArgInt32, vaccel.ArgInt32Array, vaccel.ArgInt64,
		vaccel.ArgInt64Array, vaccel.ArgUint8, vaccel.ArgUint8Array, vaccel.ArgUint16,
		vaccel.ArgUint16Array, vaccel.ArgUint32, vaccel.ArgUint32Array, vaccel.ArgUint64,
		vaccel.ArgUint64Array, vaccel.ArgFloat32, vaccel.ArgFloat32Array, vaccel.ArgFloat64,
		vaccel.ArgFloat64Array, vaccel.ArgBool, vaccel.ArgBoolArray, vaccel.ArgChar,
		vaccel.ArgCharArray, vaccel.ArgUchar, vaccel.ArgUcharArray, vaccel.ArgString,
		vaccel.ArgBuffer, vaccel.ArgCustom}
	argNames := "RAW INT8 INT8_ARRAY INT16 INT16_ARRAY INT32 INT32_ARRAY INT64 INT64_ARRAY UINT8 " +
		"UINT8_ARRAY UINT16 UINT16_ARRAY UINT32 UINT32_ARRAY UINT64 UINT64_ARRAY FLOAT32 " +
		"FLOAT32_ARRAY FLOAT64 FLOAT64_ARRAY BOOL BOOL_ARRAY CHAR CHAR_ARRAY UCHAR UCHAR_ARRAY " +
		"STRING BUFFER CUSTOM"
	for i, n := range strings.Fields(argNames) {
		if args[i].String() != "VACCEL_ARG_"+n {
			t.Errorf("ArgType %d is %s in C, not VACCEL_ARG_%s", int(args[i]), args[i], n)
		}
	}
	for r, n := range map[vaccel.ResourceType]string{vaccel.ResourceLib: "LIB",
		vaccel.ResourceData: "DATA", vaccel.ResourceModel: "MODEL"} {
		if r.String() != "VACCEL_RESOURCE_"+n {
			t.Errorf("ResourceType %d is %s", int(r), r)
		}
	}
	for d, size := range map[vaccel.TorchDataType]int{vaccel.TorchByte: 1, vaccel.TorchChar: 1,
		vaccel.TorchShort: 2, vaccel.TorchInt: 4, vaccel.TorchLong: 8, vaccel.TorchHalf: 2,
		vaccel.TorchFloat: 4, vaccel.TorchDouble: 8, vaccel.TorchBool: 1} {
		if d.Size() != size {
			t.Errorf("%v has size %d in C, want %d", d, d.Size(), size)
		}
	}
}

func TestErrorText(t *testing.T) {
	e := &vaccel.Error{Op: "TorchModelRun", Code: vaccel.ErrBackend, Message: "expected 3 channels"}
	want := "vaccel: TorchModelRun: backend error (VACCEL_EBACKEND): expected 3 channels"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, vaccel.ErrBackend) || errors.Is(e, vaccel.ErrInvalid) {
		t.Errorf("errors.Is on the code")
	}
	if !errors.Is(vaccel.ErrNotFound, os.ErrNotExist) || !errors.Is(vaccel.ErrPermission, os.ErrPermission) ||
		!errors.Is(vaccel.ErrExists, os.ErrExist) || errors.Is(vaccel.ErrIO, os.ErrNotExist) {
		t.Errorf("codes do not match the standard library's sentinels")
	}
	u := &vaccel.Error{Op: "X", Code: 4242}
	if !strings.Contains(u.Error(), "4242") {
		t.Errorf("unknown code text %q", u.Error())
	}
}
