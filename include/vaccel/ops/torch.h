/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TorchScript model ops and tensors.
 *
 * A model is a MODEL resource holding a TorchScript file, registered with the
 * session. vaccel_torch_model_load() loads it once per resource (cached by
 * the plugin until the resource is unregistered or released);
 * vaccel_torch_model_run() loads it first when needed, then runs forward()
 * on the inputs and allocates `nr_outputs` output tensors into `outputs`,
 * which the caller frees with vaccel_torch_tensor_delete().
 * Ownership moves only on success: the core sets outputs[0..nr_outputs) to
 * NULL before the plugin runs and, if the op fails, deletes whatever the
 * plugin had allocated there and leaves the entries NULL, so the caller
 * frees nothing after an error. The same holds for vaccel_torch_sgemm()'s
 * `out` and the TF/TFLite model_run outputs.
 *
 * Tensor data is dense, row-major, host memory; `size` is the byte size and
 * must equal the product of dims times the dtype's element size.
 */
#ifndef VACCEL_OPS_TORCH_H
#define VACCEL_OPS_TORCH_H

#include "../resource.h"
#include "../session.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Values are c10::ScalarType + 1 (0 is unused), as upstream defines them. */
enum vaccel_torch_data_type {
	VACCEL_TORCH_BYTE = 1, /* uint8 */
	VACCEL_TORCH_CHAR = 2, /* int8 */
	VACCEL_TORCH_SHORT = 3,
	VACCEL_TORCH_INT = 4,
	VACCEL_TORCH_LONG = 5,
	VACCEL_TORCH_HALF = 6,
	VACCEL_TORCH_FLOAT = 7,
	VACCEL_TORCH_DOUBLE = 8,
	VACCEL_TORCH_BOOL = 12,
};

/* Element size in bytes of a dtype, 0 if unknown. */
size_t vaccel_torch_data_type_size(enum vaccel_torch_data_type type);

struct vaccel_torch_buffer {
	char *data;
	size_t size;
};

struct vaccel_torch_tensor {
	void *data;
	size_t size;
	/* True when release frees `data`. */
	bool owned;
	int64_t nr_dims;
	int64_t *dims;
	enum vaccel_torch_data_type data_type;
};

/* Buffers take ownership of `data` (freed on release). */
int vaccel_torch_buffer_init(struct vaccel_torch_buffer *buffer, char *data,
			     size_t size);
int vaccel_torch_buffer_release(struct vaccel_torch_buffer *buffer);
int vaccel_torch_buffer_new(struct vaccel_torch_buffer **buffer, char *data,
			    size_t size);
int vaccel_torch_buffer_delete(struct vaccel_torch_buffer *buffer);
/* Hands the data to the caller; the buffer no longer owns it. */
int vaccel_torch_buffer_take_data(struct vaccel_torch_buffer *buffer,
				  void **data, size_t *size);

/* Copies dims; no data yet. */
int vaccel_torch_tensor_init(struct vaccel_torch_tensor *tensor,
			     int64_t nr_dims, const int64_t *dims,
			     enum vaccel_torch_data_type type);
int vaccel_torch_tensor_release(struct vaccel_torch_tensor *tensor);
int vaccel_torch_tensor_new(struct vaccel_torch_tensor **tensor,
			    int64_t nr_dims, const int64_t *dims,
			    enum vaccel_torch_data_type type);
/* A new tensor with `total_size` bytes of zeroed, owned data. */
int vaccel_torch_tensor_allocate(struct vaccel_torch_tensor **tensor,
				 int64_t nr_dims, const int64_t *dims,
				 enum vaccel_torch_data_type type,
				 size_t total_size);
int vaccel_torch_tensor_delete(struct vaccel_torch_tensor *tensor);
/* Points the tensor at caller memory (borrowed, not freed on release). */
int vaccel_torch_tensor_set_data(struct vaccel_torch_tensor *tensor,
				 void *data, size_t size);
/* Hands the data to the caller; the tensor no longer owns it. */
int vaccel_torch_tensor_take_data(struct vaccel_torch_tensor *tensor,
				  void **data, size_t *size);

int vaccel_torch_model_load(struct vaccel_session *sess,
			    struct vaccel_resource *model);
int vaccel_torch_model_run(struct vaccel_session *sess,
			   struct vaccel_resource *model,
			   const struct vaccel_torch_buffer *run_options,
			   struct vaccel_torch_tensor *const *inputs,
			   int nr_inputs, struct vaccel_torch_tensor **outputs,
			   int nr_outputs);
/* Deprecated: out = A(MxK) @ B(KxN) + C. */
int vaccel_torch_sgemm(struct vaccel_session *sess,
		       struct vaccel_torch_tensor **a,
		       struct vaccel_torch_tensor **b,
		       struct vaccel_torch_tensor **c, int m, int n, int k,
		       struct vaccel_torch_tensor **out);

/* Deprecated name of vaccel_torch_model_run (without the load step). */
int vaccel_torch_jitload_forward(struct vaccel_session *sess,
				 struct vaccel_resource *model,
				 const struct vaccel_torch_buffer *run_options,
				 struct vaccel_torch_tensor **in_tensor,
				 int nr_read,
				 struct vaccel_torch_tensor **out_tensor,
				 int nr_write);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_OPS_TORCH_H */
