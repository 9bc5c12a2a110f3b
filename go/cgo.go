// SPDX-License-Identifier: Apache-2.0

package vaccel

// This file holds all of the package's cgo glue; no other file imports "C".
//
// Memory rules (cmd/cgo, "Passing pointers"), and how they are kept:
//
//   - Everything C keeps after a call returns lives in C memory: sessions,
//     resources, profiling regions, C strings, and the frame of each op call
//     (its argument and tensor arrays and scalar parameters). Go holds only C
//     pointers to them.
//   - Go memory is lent to C for the duration of one C call and only as an
//     argument of that call, so the runtime keeps it alive and in place until
//     the call returns. Go code never stores a Go pointer into C memory
//     (GODEBUG=cgocheck=2 checks every such store).
//   - An op that reads or writes Go memory (exec, genop, torch run, image
//     ops, sgemm, minmax, a resource from bytes) needs those pointers inside C
//     structs, in number that varies. C code may store Go pointers in C memory
//     while the C call that received them runs, so the op goes through one
//     mechanism: Go fills a C frame (struct gv_call), then gv_pin receives up
//     to gvPins Go pointers as arguments, writes them into the frame's slots,
//     and either runs the op or calls back into Go (gvPinMore), which passes
//     the next batch as arguments of a nested gv_pin. The op runs in the
//     innermost call, with every pointer held by an active C call; each level
//     clears its slots before it returns.
//   - The library's last-error text is per thread, and a goroutine may move
//     between threads between cgo calls, so it is read inside the same C call
//     as the op that failed (gv_result).

/*
#cgo pkg-config: vaccel
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vaccel.h>

// How many Go pointers one gv_pin call receives.
#define GV_PINS 8

// The result of a call: the vAccel code and, on failure, a malloc'd copy of
// the library's reason (NULL when it gave none). Go frees msg.
struct gv_ret {
	int code;
	char *msg;
};

// The result of a vAccel call, with its reason: vaccel_last_error_message()
// is this thread's, so it is read here, in the C call that failed.
static inline struct gv_ret gv_result(int code)
{
	struct gv_ret r = { code, NULL };
	const char *m;

	if (code != VACCEL_OK) {
		m = vaccel_last_error_message();
		if (m && m[0])
			r.msg = strdup(m);
	}
	return r;
}

// --- calls that pass no Go memory ---

static inline struct gv_ret gv_bootstrap(const char *plugins, int level,
					 const char *log_file, int prof,
					 int version_ignore, int from_env)
{
	struct vaccel_config cfg;
	struct gv_ret r;
	int ret;

	if (from_env)
		return gv_result(vaccel_bootstrap());
	ret = vaccel_config_init(&cfg, plugins, (vaccel_log_level_t)level,
				 log_file, prof, version_ignore);
	if (ret)
		return gv_result(ret);
	r = gv_result(vaccel_bootstrap_with_config(&cfg));
	vaccel_config_release(&cfg);
	return r;
}

static inline struct gv_ret gv_cleanup(void)
{
	return gv_result(vaccel_cleanup());
}

static inline struct gv_ret gv_config_from_env(struct vaccel_config *cfg)
{
	return gv_result(vaccel_config_init_from_env(cfg));
}

static inline struct gv_ret gv_session_new(struct vaccel_session **sess,
					   uint32_t flags)
{
	return gv_result(vaccel_session_new(sess, flags));
}

static inline struct gv_ret gv_session_delete(struct vaccel_session *sess)
{
	return gv_result(vaccel_session_delete(sess));
}

static inline struct gv_ret gv_resource_new(struct vaccel_resource **res,
					    const char *path, int type)
{
	return gv_result(vaccel_resource_new(res, path,
					     (vaccel_resource_type_t)type));
}

static inline struct gv_ret gv_resource_multi_new(struct vaccel_resource **res,
						  const char **paths,
						  size_t nr, int type)
{
	return gv_result(vaccel_resource_multi_new(
		res, paths, nr, (vaccel_resource_type_t)type));
}

static inline struct gv_ret gv_resource_delete(struct vaccel_resource *res)
{
	return gv_result(vaccel_resource_delete(res));
}

static inline struct gv_ret gv_resource_register(struct vaccel_resource *res,
						 struct vaccel_session *sess)
{
	return gv_result(vaccel_resource_register(res, sess));
}

static inline struct gv_ret gv_resource_unregister(struct vaccel_resource *res,
						   struct vaccel_session *sess)
{
	return gv_result(vaccel_resource_unregister(res, sess));
}

static inline struct gv_ret gv_resource_sync(struct vaccel_resource *res,
					     struct vaccel_session *sess)
{
	return gv_result(vaccel_resource_sync(res, sess));
}

static inline const char *gv_resource_path(struct vaccel_resource *res,
					   size_t i)
{
	return i < res->nr_paths ? res->paths[i] : NULL;
}

static inline struct gv_ret gv_noop(struct vaccel_session *sess)
{
	return gv_result(vaccel_noop(sess));
}

static inline struct gv_ret gv_torch_load(struct vaccel_session *sess,
					  struct vaccel_resource *res)
{
	return gv_result(vaccel_torch_model_load(sess, res));
}

static inline struct gv_ret gv_prof_new(struct vaccel_prof_region **region,
					const char *name)
{
	struct vaccel_prof_region *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return gv_result(VACCEL_ENOMEM);
	ret = vaccel_prof_region_init(r, name);
	if (ret) {
		free(r);
		return gv_result(ret);
	}
	*region = r;
	return gv_result(VACCEL_OK);
}

static inline void gv_prof_delete(struct vaccel_prof_region *r)
{
	vaccel_prof_region_release(r);
	free(r);
}

static inline struct gv_ret gv_prof_start(struct vaccel_prof_region *r)
{
	return gv_result(vaccel_prof_region_start(r));
}

static inline struct gv_ret gv_prof_stop(struct vaccel_prof_region *r)
{
	return gv_result(vaccel_prof_region_stop(r));
}

static inline struct gv_ret gv_prof_print(struct vaccel_prof_region *r)
{
	return gv_result(vaccel_prof_region_print(r));
}

static inline struct gv_ret gv_prof_add_sample(struct vaccel_prof_region *r,
					       uint64_t start, uint64_t time)
{
	return gv_result(vaccel_prof_region_add_sample(r, start, time));
}

// --- calls that pass Go memory: a call frame in C memory ---

enum gv_op {
	GV_EXEC,
	GV_EXEC_RES,
	GV_GENOP,
	GV_TORCH_RUN,
	GV_IMAGE,
	GV_SGEMM,
	GV_MINMAX,
	GV_RESOURCE_BYTES,
};

// At most this many plain buffers (image: image, text, name; sgemm: a, b,
// c; minmax: in, out; resource from bytes: the bytes).
#define GV_BUFS 3

// One op call. The frame, its argument and tensor arrays and its strings
// are one C allocation. A slot is a pointer field
// that must point at Go memory during the call, in this order: the read
// args' bufs, the write args' bufs, the input tensors' data, then buf[].
struct gv_call {
	int op;
	struct vaccel_session *sess;
	struct vaccel_resource *res;
	char *str[2]; // exec: library, symbol; resource: file name (in strs)
	char *strs;
	struct vaccel_arg *read, *write;
	size_t nr_read, nr_write;
	struct vaccel_torch_tensor **in, **out;
	size_t nr_in, nr_out;
	void *buf[GV_BUFS];
	size_t len[GV_BUFS];
	size_t nr_buf;
	int image_op;              // GV_IMAGE: VACCEL_OP_IMAGE_*
	int64_t m, n, k, lda, ldb, ldc; // GV_SGEMM
	float alpha, beta;
	int low, high;             // GV_MINMAX, and min/max out
	double min, max;
	int res_type, mem_only;    // GV_RESOURCE_BYTES, and the new resource
	struct vaccel_resource *new_res;
	uintptr_t handle; // the Go side's cgo.Handle, for gvPinMore
	struct gv_ret ret;
};

// A frame for nr_read/nr_write args, nr_in/nr_out tensors, nr_buf plain
// buffers and str_bytes bytes of strings (c->strs; Go copies them in and
// points str[] there).
static inline struct gv_call *gv_call_new(int op, size_t nr_read,
					  size_t nr_write, size_t nr_in,
					  size_t nr_out, size_t nr_buf,
					  size_t str_bytes)
{
	const size_t max = 1u << 20; // maxCallItems
	struct vaccel_arg *args;
	struct gv_call *c;
	void **tensors;

	if (nr_read > max || nr_write > max || nr_in > max || nr_out > max ||
	    nr_buf > GV_BUFS || str_bytes > SIZE_MAX / 4)
		return NULL;
	c = calloc(1, sizeof(*c) +
			      (nr_read + nr_write) * sizeof(struct vaccel_arg) +
			      (nr_in + nr_out) * sizeof(void *) + str_bytes);
	if (!c)
		return NULL;
	args = (struct vaccel_arg *)(c + 1);
	tensors = (void **)(args + nr_read + nr_write);
	c->op = op;
	c->read = nr_read ? args : NULL;
	c->write = nr_write ? args + nr_read : NULL;
	c->in = nr_in ? (struct vaccel_torch_tensor **)tensors : NULL;
	c->out = nr_out ? (struct vaccel_torch_tensor **)tensors + nr_in : NULL;
	c->strs = (char *)(tensors + nr_in + nr_out);
	c->nr_read = nr_read;
	c->nr_write = nr_write;
	c->nr_in = nr_in;
	c->nr_out = nr_out;
	c->nr_buf = nr_buf;
	return c;
}

// Frees the frame, its input tensors and the output tensors (Go copies
// what it keeps first).
static inline void gv_call_delete(struct gv_call *c)
{
	for (size_t i = 0; i < c->nr_in; i++)
		vaccel_torch_tensor_delete(c->in[i]);
	for (size_t i = 0; i < c->nr_out; i++)
		vaccel_torch_tensor_delete(c->out[i]);
	free(c->ret.msg);
	free(c);
}

// Input tensor i, of `size` bytes whose data is its slot. dims is copied.
static inline int gv_call_set_tensor(struct gv_call *c, size_t i,
				     int64_t nr_dims, const int64_t *dims,
				     int type, size_t size)
{
	int ret = vaccel_torch_tensor_new(&c->in[i], nr_dims, dims,
					  (enum vaccel_torch_data_type)type);

	if (ret)
		return ret;
	c->in[i]->size = size;
	c->in[i]->owned = false;
	return VACCEL_OK;
}

static inline size_t gv_call_slots(const struct gv_call *c)
{
	return c->nr_read + c->nr_write + c->nr_in + c->nr_buf;
}

static inline void **gv_call_slot(struct gv_call *c, size_t i)
{
	if (i < c->nr_read)
		return &c->read[i].buf;
	i -= c->nr_read;
	if (i < c->nr_write)
		return &c->write[i].buf;
	i -= c->nr_write;
	if (i < c->nr_in)
		return &c->in[i]->data;
	return &c->buf[i - c->nr_in];
}

static inline int gv_call_image(struct gv_call *c)
{
	switch (c->image_op) {
	case VACCEL_OP_IMAGE_CLASSIFY:
		return vaccel_image_classification(c->sess, c->buf[0], c->buf[1],
						   c->buf[2], c->len[0],
						   c->len[1], c->len[2]);
	case VACCEL_OP_IMAGE_DETECT:
		return vaccel_image_detection(c->sess, c->buf[0], c->buf[2],
					      c->len[0], c->len[2]);
	case VACCEL_OP_IMAGE_SEGMENT:
		return vaccel_image_segmentation(c->sess, c->buf[0], c->buf[2],
						 c->len[0], c->len[2]);
	case VACCEL_OP_IMAGE_POSE:
		return vaccel_image_pose(c->sess, c->buf[0], c->buf[2],
					 c->len[0], c->len[2]);
	case VACCEL_OP_IMAGE_DEPTH:
		return vaccel_image_depth(c->sess, c->buf[0], c->buf[2],
					  c->len[0], c->len[2]);
	}
	return VACCEL_EINVAL;
}

static inline void gv_call_run(struct gv_call *c)
{
	int ret;

	switch (c->op) {
	case GV_EXEC:
		ret = vaccel_exec(c->sess, c->str[0], c->str[1], c->read,
				  c->nr_read, c->write, c->nr_write);
		break;
	case GV_EXEC_RES:
		ret = vaccel_exec_with_resource(c->sess, c->res, c->str[1],
						c->read, c->nr_read, c->write,
						c->nr_write);
		break;
	case GV_GENOP:
		ret = vaccel_genop(c->sess, c->read, (int)c->nr_read, c->write,
				   (int)c->nr_write);
		break;
	case GV_TORCH_RUN:
		ret = vaccel_torch_model_run(c->sess, c->res, NULL, c->in,
					     (int)c->nr_in, c->out,
					     (int)c->nr_out);
		break;
	case GV_IMAGE:
		ret = gv_call_image(c);
		break;
	case GV_SGEMM:
		ret = vaccel_sgemm(c->sess, c->m, c->n, c->k, c->alpha,
				   c->buf[0], c->lda, c->buf[1], c->ldb,
				   c->beta, c->buf[2], c->ldc);
		break;
	case GV_MINMAX:
		ret = vaccel_minmax(c->sess, c->buf[0],
				    (int)(c->len[0] / sizeof(double)), c->low,
				    c->high, c->buf[1], &c->min, &c->max);
		break;
	case GV_RESOURCE_BYTES:
		ret = vaccel_resource_from_buf(
			&c->new_res, c->buf[0], c->len[0],
			(vaccel_resource_type_t)c->res_type, c->str[0],
			c->mem_only);
		break;
	default:
		ret = VACCEL_EINVAL;
	}
	c->ret = gv_result(ret);
}

// Exported by this file's Go code: pins the slots from `from` on.
extern void gvPinMore(uintptr_t handle, size_t from);

// Stores p[0..] into the slots from `from` on (NULL where bit i of nulls
// is set: the Go value was nil), then runs the op (all slots filled) or
// asks Go for the next batch; clears its slots before returning, so that
// C keeps no Go pointer after the call.
static inline void gv_pin(struct gv_call *c, size_t from, unsigned nulls,
			  void *p0, void *p1, void *p2, void *p3, void *p4,
			  void *p5, void *p6, void *p7)
{
	void *p[GV_PINS] = { p0, p1, p2, p3, p4, p5, p6, p7 };
	size_t total = gv_call_slots(c), n = 0;

	while (n < GV_PINS && from + n < total) {
		*gv_call_slot(c, from + n) = (nulls >> n) & 1 ? NULL : p[n];
		n++;
	}
	if (from + n < total)
		gvPinMore(c->handle, from + n);
	else
		gv_call_run(c);
	for (size_t i = 0; i < n; i++)
		*gv_call_slot(c, from + i) = NULL;
}
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// Handles: C objects that C owns and Go refers to. Only this file looks
// inside them.
type (
	sessionHandle  = *C.struct_vaccel_session
	resourceHandle = *C.struct_vaccel_resource
	profHandle     = *C.struct_vaccel_prof_region
)

// goPointer returns the address of s's first element, or nil when s is
// empty (there is nothing to point at).
func goPointer[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// check turns a call's result into nil or an *Error naming op, and frees
// the message C allocated.
func check(op string, r C.struct_gv_ret) error {
	if r.code == 0 {
		return nil
	}
	e := &Error{Op: op, Code: Code(r.code)}
	if r.msg != nil {
		e.Message = C.GoString(r.msg)
		C.free(unsafe.Pointer(r.msg))
	}
	return e
}

// cString is a C copy of s that the caller frees with cFree.
func cString(s string) *C.char { return C.CString(s) }

func cFree(p *C.char) { C.free(unsafe.Pointer(p)) }

// --- errors ---

func cStrerror(c Code) string  { return C.GoString(C.vaccel_strerror(C.int(c))) }
func cErrorName(c Code) string { return C.GoString(C.vaccel_error_name(C.int(c))) }

// --- enum names, from the C headers' X-macro tables ---

func cOpTypeString(t OpType) string {
	return C.GoString(C.vaccel_op_type_to_str(C.int(t)))
}

func cArgTypeString(t ArgType) string {
	return C.GoString(C.vaccel_arg_type_to_str(C.int(t)))
}

func cResourceTypeString(t ResourceType) string {
	return C.GoString(C.vaccel_resource_type_to_str(C.int(t)))
}

// --- lifecycle and configuration ---

func cBootstrap(cfg *Config) error {
	if cfg == nil {
		return check("Bootstrap", C.gv_bootstrap(nil, 0, nil, 0, 0, 1))
	}
	plugins := cString(cfg.pluginList())
	defer cFree(plugins)
	var logFile *C.char
	if cfg.LogFile != "" {
		logFile = cString(cfg.LogFile)
		defer cFree(logFile)
	}
	return check("Bootstrap", C.gv_bootstrap(plugins, C.int(cfg.LogLevel),
		logFile, cBool(cfg.Profiling), cBool(cfg.VersionIgnore), 0))
}

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func cCleanup() error { return check("Cleanup", C.gv_cleanup()) }

func cIsInitialized() bool { return bool(C.vaccel_is_initialized()) }

func cRundir() string {
	if p := C.vaccel_rundir(); p != nil {
		return C.GoString(p)
	}
	return ""
}

func configFromC(c *C.struct_vaccel_config) *Config {
	cfg := &Config{
		LogLevel:      LogLevel(c.log_level),
		Profiling:     bool(c.profiling_enabled),
		VersionIgnore: bool(c.version_ignore),
	}
	if c.plugins != nil {
		cfg.setPluginList(C.GoString(c.plugins))
	}
	if c.log_file != nil {
		cfg.LogFile = C.GoString(c.log_file)
	}
	return cfg
}

func cCurrentConfig() *Config {
	c := C.vaccel_config()
	if c == nil {
		return nil
	}
	return configFromC(c)
}

func cConfigFromEnv() (*Config, error) {
	var c C.struct_vaccel_config
	if err := check("ConfigFromEnv", C.gv_config_from_env(&c)); err != nil {
		return nil, err
	}
	defer C.vaccel_config_release(&c)
	return configFromC(&c), nil
}

func cSetLogLevel(l LogLevel) { C.vaccel_log_set_level(C.vaccel_log_level_t(l)) }

// --- sessions ---

func cSessionNew(flags PluginType) (sessionHandle, error) {
	var s sessionHandle
	if err := check("NewSession", C.gv_session_new(&s, C.uint32_t(flags))); err != nil {
		return nil, err
	}
	return s, nil
}

func cSessionDelete(s sessionHandle) error {
	return check("Session.Close", C.gv_session_delete(s))
}

func cSessionID(s sessionHandle) int64       { return int64(s.id) }
func cSessionRemoteID(s sessionHandle) int64 { return int64(s.remote_id) }
func cSessionHint(s sessionHandle) PluginType {
	return PluginType(s.hint)
}
func cSessionIsRemote(s sessionHandle) bool { return bool(s.is_virtio) }

func cSessionHasResource(s sessionHandle, r resourceHandle) bool {
	return bool(C.vaccel_session_has_resource(s, r))
}

// --- resources ---

func cResourceNew(path string, typ ResourceType) (resourceHandle, error) {
	p := cString(path)
	defer cFree(p)
	var r resourceHandle
	if err := check("NewResource", C.gv_resource_new(&r, p, C.int(typ))); err != nil {
		return nil, err
	}
	return r, nil
}

func cResourceMultiNew(paths []string, typ ResourceType) (resourceHandle, error) {
	var arr **C.char
	if len(paths) > 0 {
		arr = (**C.char)(C.calloc(C.size_t(len(paths)), C.size_t(unsafe.Sizeof(uintptr(0)))))
		if arr == nil {
			return nil, &Error{Op: "NewResourcePaths", Code: ErrNoMemory}
		}
		defer C.free(unsafe.Pointer(arr))
		ps := unsafe.Slice(arr, len(paths))
		for i, p := range paths {
			ps[i] = cString(p)
			defer cFree(ps[i])
		}
	}
	var r resourceHandle
	err := check("NewResourcePaths", C.gv_resource_multi_new(&r, arr,
		C.size_t(len(paths)), C.int(typ)))
	if err != nil {
		return nil, err
	}
	return r, nil
}

func cResourceDelete(r resourceHandle) error {
	return check("Resource.Close", C.gv_resource_delete(r))
}

func cResourceRegister(s sessionHandle, r resourceHandle) error {
	return check("Resource.Register", C.gv_resource_register(r, s))
}

func cResourceUnregister(s sessionHandle, r resourceHandle) error {
	return check("Resource.Unregister", C.gv_resource_unregister(r, s))
}

func cResourceSync(s sessionHandle, r resourceHandle) error {
	return check("Resource.Sync", C.gv_resource_sync(r, s))
}

func cResourceID(r resourceHandle) int64       { return int64(r.id) }
func cResourceRemoteID(r resourceHandle) int64 { return int64(r.remote_id) }
func cResourceType(r resourceHandle) ResourceType {
	return ResourceType(r._type)
}
func cResourceRefcount(r resourceHandle) int64 {
	return int64(C.vaccel_resource_refcount(r))
}

func cResourcePaths(r resourceHandle) []string {
	var paths []string
	for i := 0; ; i++ {
		p := C.gv_resource_path(r, C.size_t(i))
		if p == nil {
			return paths
		}
		paths = append(paths, C.GoString(p))
	}
}

// --- calls that pass no Go memory ---

func cNoop(s sessionHandle) error { return check("Noop", C.gv_noop(s)) }

func cTorchLoad(s sessionHandle, r resourceHandle) error {
	return check("TorchModelLoad", C.gv_torch_load(s, r))
}

func cTorchTypeSize(t TorchDataType) int {
	return int(C.vaccel_torch_data_type_size(C.enum_vaccel_torch_data_type(t)))
}

// --- calls that pass Go memory ---

// gvPins is GV_PINS: how many Go pointers one gv_pin call passes.
const gvPins = 8

// maxCallItems is gv_call_new's bound on each count of a frame.
const maxCallItems = 1 << 20

// call is one op that lends Go memory to C: its C frame, and the Go
// pointers that go into the frame's slots, in slot order.
type call struct {
	op   string
	c    *C.struct_gv_call
	ptrs []unsafe.Pointer
}

// newCall allocates the frame of an op; strs become its C strings str[i]
// (NULL for "").
func newCall(op string, kind C.int, nrRead, nrWrite, nrIn, nrOut, nrBuf int, strs ...string) (*call, error) {
	for _, count := range []int{nrRead, nrWrite, nrIn, nrOut} {
		if count > maxCallItems {
			return nil, invalid(op, fmt.Sprintf("%d arguments or tensors (at most %d)", count, maxCallItems))
		}
	}
	n := 0
	for _, s := range strs {
		n += len(s) + 1
	}
	c := C.gv_call_new(kind, C.size_t(nrRead), C.size_t(nrWrite),
		C.size_t(nrIn), C.size_t(nrOut), C.size_t(nrBuf), C.size_t(n))
	if c == nil {
		return nil, &Error{Op: op, Code: ErrNoMemory, Message: "cannot allocate the call's argument arrays"}
	}
	// Go writes only numbers, bytes and C pointers into the frame.
	area := unsafe.Slice((*byte)(unsafe.Pointer(c.strs)), n)
	for i, s := range strs {
		if s != "" {
			c.str[i] = (*C.char)(unsafe.Pointer(&area[0]))
		}
		copy(area, s)
		area = area[len(s)+1:]
	}
	return &call{op: op, c: c, ptrs: make([]unsafe.Pointer, 0, nrRead+nrWrite+nrIn+nrBuf)}, nil
}

func (c *call) free() { C.gv_call_delete(c.c) }

func (c *call) setArgs(write bool, args []Arg) {
	if len(args) == 0 {
		return
	}
	arr := c.c.read
	if write {
		arr = c.c.write
	}
	cargs := unsafe.Slice(arr, len(args))
	for i, a := range args {
		cargs[i].size = C.size_t(a.size)
		cargs[i]._type = C.vaccel_arg_type_t(a.typ)
		cargs[i].custom_type_id = C.uint32_t(a.customID)
		c.ptrs = append(c.ptrs, a.ptr)
	}
}

// setTensor describes input tensor i; its data goes into the next slot.
// dims is the tensor's own copy (no Go pointers in it), lent for this
// call only; C copies it.
func (c *call) setTensor(i int, t *TorchTensor) error {
	ret := C.gv_call_set_tensor(c.c, C.size_t(i), C.int64_t(len(t.dims)),
		(*C.int64_t)(goPointer(t.dims)), C.int(t.dtype), C.size_t(t.size))
	if ret != 0 {
		return &Error{Op: c.op, Code: Code(ret), Message: "cannot describe input tensor"}
	}
	c.ptrs = append(c.ptrs, t.data)
	return nil
}

// setBuf makes plain buffer i view b (its slot is after the tensors').
func setBuf[T any](c *call, i int, b []T) {
	c.c.len[i] = C.size_t(len(b) * int(unsafe.Sizeof(*new(T))))
	c.ptrs = append(c.ptrs, goPointer(b))
}

// run lends every Go pointer to C (see the top of this file), runs the op
// and returns its result.
func (c *call) run() error {
	if len(c.ptrs) > gvPins {
		h := cgo.NewHandle(c)
		defer h.Delete()
		c.c.handle = C.uintptr_t(h)
	}
	c.pin(0)
	r := c.c.ret
	c.c.ret = C.struct_gv_ret{}
	return check(c.op, r)
}

// nothing stands in for nil pointers in gv_pin's arguments; C stores NULL
// for them (the nulls mask) and never reads it.
var nothing byte

// pin passes the slots' pointers from `from` on to gv_pin.
//
// Each pointer is passed as &*p with p a *byte: cgo then checks only the
// pointed-to byte's type for Go pointers, rather than the whole object the
// memory belongs to (an Arg over a number field of a struct that also
// holds pointers is legal under cgo's rules, which look at the field, but
// an unsafe.Pointer argument would be checked as the whole struct). What C
// accesses is the Arg's, tensor's or buffer's memory, which the typed
// constructors guarantee holds numbers only.
func (c *call) pin(from int) {
	var p [gvPins]*byte
	var nulls C.uint
	for i := range p {
		p[i] = &nothing
		if from+i < len(c.ptrs) && c.ptrs[from+i] != nil {
			p[i] = (*byte)(c.ptrs[from+i])
		} else {
			nulls |= 1 << i
		}
	}
	C.gv_pin(c.c, C.size_t(from), nulls,
		unsafe.Pointer(&*p[0]), unsafe.Pointer(&*p[1]), unsafe.Pointer(&*p[2]), unsafe.Pointer(&*p[3]),
		unsafe.Pointer(&*p[4]), unsafe.Pointer(&*p[5]), unsafe.Pointer(&*p[6]), unsafe.Pointer(&*p[7]))
}

//export gvPinMore
func gvPinMore(h C.uintptr_t, from C.size_t) {
	cgo.Handle(h).Value().(*call).pin(int(from))
}

// cArgOp runs an op whose operands are argument lists: exec (library and
// symbol), exec with a resource (r and symbol) or genop.
func cArgOp(op string, kind C.int, s sessionHandle, r resourceHandle, lib, sym string, read, write []Arg) error {
	c, err := newCall(op, kind, len(read), len(write), 0, 0, 0, lib, sym)
	if err != nil {
		return err
	}
	defer c.free()
	c.c.sess, c.c.res = s, r
	c.setArgs(false, read)
	c.setArgs(true, write)
	return c.run()
}

func cExec(s sessionHandle, lib, sym string, read, write []Arg) error {
	return cArgOp("Exec", C.GV_EXEC, s, nil, lib, sym, read, write)
}

func cExecWithResource(s sessionHandle, r resourceHandle, sym string, read, write []Arg) error {
	return cArgOp("ExecWithResource", C.GV_EXEC_RES, s, r, "", sym, read, write)
}

func cGenop(s sessionHandle, read, write []Arg) error {
	return cArgOp("Genop", C.GV_GENOP, s, nil, "", "", read, write)
}

func cImage(op OpType, s sessionHandle, img, text, name []byte) error {
	c, err := newCall(op.imageOpName(), C.GV_IMAGE, 0, 0, 0, 0, 3)
	if err != nil {
		return err
	}
	defer c.free()
	c.c.sess = s
	c.c.image_op = C.int(op)
	setBuf(c, 0, img)
	setBuf(c, 1, text)
	setBuf(c, 2, name)
	return c.run()
}

func cSgemm(s sessionHandle, m, n, k int64, alpha float32, a []float32, lda int64,
	b []float32, ldb int64, beta float32, cm []float32, ldc int64) error {
	c, err := newCall("Sgemm", C.GV_SGEMM, 0, 0, 0, 0, 3)
	if err != nil {
		return err
	}
	defer c.free()
	c.c.sess = s
	c.c.m, c.c.n, c.c.k = C.int64_t(m), C.int64_t(n), C.int64_t(k)
	c.c.lda, c.c.ldb, c.c.ldc = C.int64_t(lda), C.int64_t(ldb), C.int64_t(ldc)
	c.c.alpha, c.c.beta = C.float(alpha), C.float(beta)
	setBuf(c, 0, a)
	setBuf(c, 1, b)
	setBuf(c, 2, cm)
	return c.run()
}

func cMinMax(s sessionHandle, in []float64, low, high int, out []float64) (min, max float64, err error) {
	c, err := newCall("MinMax", C.GV_MINMAX, 0, 0, 0, 0, 2)
	if err != nil {
		return 0, 0, err
	}
	defer c.free()
	c.c.sess = s
	c.c.low, c.c.high = C.int(low), C.int(high)
	setBuf(c, 0, in)
	setBuf(c, 1, out)
	if err := c.run(); err != nil {
		return 0, 0, err
	}
	return float64(c.c.min), float64(c.c.max), nil
}

func cResourceFromBytes(data []byte, typ ResourceType, filename string, memOnly bool) (resourceHandle, error) {
	c, err := newCall("NewResourceFromBytes", C.GV_RESOURCE_BYTES, 0, 0, 0, 0, 1, filename)
	if err != nil {
		return nil, err
	}
	defer c.free()
	c.c.res_type = C.int(typ)
	c.c.mem_only = cBool(memOnly)
	setBuf(c, 0, data)
	if err := c.run(); err != nil {
		return nil, err
	}
	return c.c.new_res, nil
}

func cTorchRun(s sessionHandle, r resourceHandle, in []*TorchTensor, nrOut int) ([]*TorchTensor, error) {
	c, err := newCall("TorchModelRun", C.GV_TORCH_RUN, 0, 0, len(in), nrOut, 0)
	if err != nil {
		return nil, err
	}
	defer c.free()
	c.c.sess = s
	c.c.res = r
	for i, t := range in {
		if err := c.setTensor(i, t); err != nil {
			return nil, err
		}
	}
	if err := c.run(); err != nil {
		return nil, err
	}
	res := make([]*TorchTensor, nrOut)
	for i, o := range unsafe.Slice(c.c.out, nrOut) {
		if o == nil {
			return nil, &Error{Op: c.op, Code: ErrBackend, Message: "the plugin returned no tensor for an output"}
		}
		res[i] = torchTensorFromC(TorchDataType(o.data_type),
			unsafe.Slice((*int64)(unsafe.Pointer(o.dims)), int(o.nr_dims)),
			unsafe.Slice((*byte)(o.data), int(o.size)))
	}
	return res, nil
}

// --- profiling ---

func cProfNew(name string) (profHandle, error) {
	n := cString(name)
	defer cFree(n)
	var r profHandle
	if err := check("NewProfRegion", C.gv_prof_new(&r, n)); err != nil {
		return nil, err
	}
	return r, nil
}

func cProfDelete(r profHandle)      { C.gv_prof_delete(r) }
func cProfStart(r profHandle) error { return check("ProfRegion.Start", C.gv_prof_start(r)) }
func cProfStop(r profHandle) error  { return check("ProfRegion.Stop", C.gv_prof_stop(r)) }
func cProfPrint(r profHandle) error { return check("ProfRegion.Print", C.gv_prof_print(r)) }
func cProfEnabled() bool            { return bool(C.vaccel_prof_enabled()) }
func cProfTimestamp() uint64        { return uint64(C.vaccel_prof_get_tstamp()) }
func cProfName(r profHandle) string { return C.GoString(r.name) }

func cProfSamples(r profHandle) []ProfSample {
	n := int(r.nr_entries)
	if n == 0 || r.samples == nil {
		return nil
	}
	out := make([]ProfSample, n)
	for i, s := range unsafe.Slice(r.samples, n) {
		out[i] = ProfSample{Start: uint64(s.start), Duration: durationNS(uint64(s.time))}
	}
	return out
}

func cProfAddSample(r profHandle, start, ns uint64) error {
	return check("ProfRegion.AddSample", C.gv_prof_add_sample(r, C.uint64_t(start), C.uint64_t(ns)))
}
