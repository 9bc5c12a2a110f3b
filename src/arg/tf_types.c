/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TensorFlow buffers, nodes, tensors and statuses (the data types of
 * vaccel/ops/tf.h).
 */
#include "tensor_dims.h"
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

/* Every value of enum vaccel_tf_data_type is known, including the ones
 * without a fixed element size (STRING, RESOURCE, VARIANT). */
static bool tf_type_known(enum vaccel_tf_data_type type)
{
	return type >= VACCEL_TF_FLOAT && type <= VACCEL_TF_UINT64;
}

int vaccel_tf_buffer_init(struct vaccel_tf_buffer *buffer, void *data,
			  size_t size)
{
	if (!buffer || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !buffer ? "buffer" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	buffer->data = data;
	buffer->size = size;
	return VACCEL_OK;
}

int vaccel_tf_buffer_release(struct vaccel_tf_buffer *buffer)
{
	if (!buffer) {
		vaccel_error("%s: NULL buffer", __func__);
		return VACCEL_EINVAL;
	}
	free(buffer->data);
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

int vaccel_tf_buffer_new(struct vaccel_tf_buffer **buffer, void *data,
			 size_t size)
{
	struct vaccel_tf_buffer *b;
	int ret;

	if (!buffer) {
		vaccel_error("%s: NULL output pointer", __func__);
		return VACCEL_EINVAL;
	}
	b = malloc(sizeof(*b));
	if (!b) {
		vaccel_error("%s: cannot allocate a buffer", __func__);
		return VACCEL_ENOMEM;
	}
	ret = vaccel_tf_buffer_init(b, data, size);
	if (ret) {
		free(b);
		return ret;
	}
	*buffer = b;
	return VACCEL_OK;
}

int vaccel_tf_buffer_delete(struct vaccel_tf_buffer *buffer)
{
	if (!buffer)
		return VACCEL_OK;
	vaccel_tf_buffer_release(buffer);
	free(buffer);
	return VACCEL_OK;
}

int vaccel_tf_buffer_take_data(struct vaccel_tf_buffer *buffer, void **data,
			       size_t *size)
{
	if (!buffer || !data || !size) {
		vaccel_error("%s: NULL %s", __func__,
			     !buffer ? "buffer" : !data ? "data" : "size");
		return VACCEL_EINVAL;
	}
	*data = buffer->data;
	*size = buffer->size;
	buffer->data = NULL;
	buffer->size = 0;
	return VACCEL_OK;
}

int vaccel_tf_node_init(struct vaccel_tf_node *node, const char *name, int id)
{
	char *copy;

	if (!node || !name) {
		vaccel_error("%s: NULL %s", __func__, !node ? "node" : "name");
		return VACCEL_EINVAL;
	}
	copy = strdup(name);
	if (!copy) {
		vaccel_error("%s: cannot copy node name '%s'", __func__, name);
		return VACCEL_ENOMEM;
	}
	node->name = copy;
	node->id = id;
	return VACCEL_OK;
}

int vaccel_tf_node_release(struct vaccel_tf_node *node)
{
	if (!node) {
		vaccel_error("%s: NULL node", __func__);
		return VACCEL_EINVAL;
	}
	free(node->name);
	node->name = NULL;
	node->id = 0;
	return VACCEL_OK;
}

int vaccel_tf_node_new(struct vaccel_tf_node **node, const char *name, int id)
{
	struct vaccel_tf_node *n;
	int ret;

	if (!node) {
		vaccel_error("%s: NULL output pointer", __func__);
		return VACCEL_EINVAL;
	}
	n = malloc(sizeof(*n));
	if (!n) {
		vaccel_error("%s: cannot allocate a node", __func__);
		return VACCEL_ENOMEM;
	}
	ret = vaccel_tf_node_init(n, name, id);
	if (ret) {
		free(n);
		return ret;
	}
	*node = n;
	return VACCEL_OK;
}

int vaccel_tf_node_delete(struct vaccel_tf_node *node)
{
	if (!node)
		return VACCEL_OK;
	vaccel_tf_node_release(node);
	free(node);
	return VACCEL_OK;
}

static int tensor_fill(struct vaccel_tf_tensor *tensor, const char *func,
		       int nr_dims, const int64_t *dims,
		       enum vaccel_tf_data_type type)
{
	void *copy;
	int ret;

	if (!tensor) {
		vaccel_error("%s: NULL tensor", func);
		return VACCEL_EINVAL;
	}
	if (!tf_type_known(type)) {
		vaccel_error("%s: unknown TF data type %d", func, (int)type);
		return VACCEL_EINVAL;
	}
	ret = vaccel__tensor_dims_copy(func, nr_dims, dims, sizeof(*dims),
				       &copy);
	if (ret)
		return ret;

	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	tensor->nr_dims = nr_dims;
	tensor->dims = copy;
	tensor->data_type = type;
	return VACCEL_OK;
}

int vaccel_tf_tensor_init(struct vaccel_tf_tensor *tensor, int nr_dims,
			  const int64_t *dims, enum vaccel_tf_data_type type)
{
	return tensor_fill(tensor, __func__, nr_dims, dims, type);
}

int vaccel_tf_tensor_release(struct vaccel_tf_tensor *tensor)
{
	if (!tensor) {
		vaccel_error("%s: NULL tensor", __func__);
		return VACCEL_EINVAL;
	}
	if (tensor->owned)
		free(tensor->data);
	free(tensor->dims);
	memset(tensor, 0, sizeof(*tensor));
	return VACCEL_OK;
}

static int tensor_alloc(struct vaccel_tf_tensor **out, const char *func,
			int nr_dims, const int64_t *dims,
			enum vaccel_tf_data_type type, size_t total_size)
{
	struct vaccel_tf_tensor *t;
	int ret;

	if (!out) {
		vaccel_error("%s: NULL output pointer", func);
		return VACCEL_EINVAL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		vaccel_error("%s: cannot allocate a tensor", func);
		return VACCEL_ENOMEM;
	}
	ret = tensor_fill(t, func, nr_dims, dims, type);
	if (ret)
		goto free_tensor;
	if (total_size > 0) {
		t->data = calloc(1, total_size);
		if (!t->data) {
			vaccel_error("%s: cannot allocate %zu bytes of tensor data",
				     func, total_size);
			ret = VACCEL_ENOMEM;
			goto release_tensor;
		}
		t->size = total_size;
		t->owned = true;
	}
	*out = t;
	return VACCEL_OK;

release_tensor:
	vaccel_tf_tensor_release(t);
free_tensor:
	free(t);
	return ret;
}

int vaccel_tf_tensor_new(struct vaccel_tf_tensor **tensor, int nr_dims,
			 const int64_t *dims, enum vaccel_tf_data_type type)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, 0);
}

int vaccel_tf_tensor_allocate(struct vaccel_tf_tensor **tensor, int nr_dims,
			      const int64_t *dims,
			      enum vaccel_tf_data_type type, size_t total_size)
{
	return tensor_alloc(tensor, __func__, nr_dims, dims, type, total_size);
}

int vaccel_tf_tensor_delete(struct vaccel_tf_tensor *tensor)
{
	if (!tensor)
		return VACCEL_OK;
	vaccel_tf_tensor_release(tensor);
	free(tensor);
	return VACCEL_OK;
}

int vaccel_tf_tensor_set_data(struct vaccel_tf_tensor *tensor, void *data,
			      size_t size)
{
	if (!tensor || (!data && size > 0)) {
		vaccel_error("%s: NULL %s", __func__,
			     !tensor ? "tensor" : "data with a non-zero size");
		return VACCEL_EINVAL;
	}
	/* Same pointer: keep it (and its ownership), only the size moves. */
	if (data == tensor->data) {
		tensor->size = size;
		return VACCEL_OK;
	}
	if (tensor->owned)
		free(tensor->data);
	tensor->data = data;
	tensor->size = size;
	tensor->owned = false;
	return VACCEL_OK;
}

int vaccel_tf_tensor_take_data(struct vaccel_tf_tensor *tensor, void **data,
			       size_t *size)
{
	if (!tensor || !data || !size) {
		vaccel_error("%s: NULL %s", __func__,
			     !tensor ? "tensor" : !data ? "data" : "size");
		return VACCEL_EINVAL;
	}
	*data = tensor->data;
	*size = tensor->size;
	tensor->data = NULL;
	tensor->size = 0;
	tensor->owned = false;
	return VACCEL_OK;
}

int vaccel_tf_status_init(struct vaccel_tf_status *status, uint8_t code,
			  const char *message)
{
	char *copy = NULL;

	if (!status) {
		vaccel_error("%s: NULL status", __func__);
		return VACCEL_EINVAL;
	}
	/* A status may carry a code alone: a NULL message stays NULL. */
	if (message) {
		copy = strdup(message);
		if (!copy) {
			vaccel_error("%s: cannot copy a %zu-byte message",
				     __func__, strlen(message));
			return VACCEL_ENOMEM;
		}
	}
	status->code = code;
	status->message = copy;
	return VACCEL_OK;
}

int vaccel_tf_status_release(struct vaccel_tf_status *status)
{
	if (!status) {
		vaccel_error("%s: NULL status", __func__);
		return VACCEL_EINVAL;
	}
	free(status->message);
	status->message = NULL;
	status->code = 0;
	return VACCEL_OK;
}

int vaccel_tf_status_new(struct vaccel_tf_status **status, uint8_t code,
			 const char *message)
{
	struct vaccel_tf_status *s;
	int ret;

	if (!status) {
		vaccel_error("%s: NULL output pointer", __func__);
		return VACCEL_EINVAL;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		vaccel_error("%s: cannot allocate a status", __func__);
		return VACCEL_ENOMEM;
	}
	ret = vaccel_tf_status_init(s, code, message);
	if (ret) {
		free(s);
		return ret;
	}
	*status = s;
	return VACCEL_OK;
}

int vaccel_tf_status_delete(struct vaccel_tf_status *status)
{
	if (!status)
		return VACCEL_OK;
	vaccel_tf_status_release(status);
	free(status);
	return VACCEL_OK;
}
