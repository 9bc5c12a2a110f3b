/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TensorFlow buffers, nodes, tensors and statuses (the data types of
 * vaccel/ops/tf.h).
 */
#include "vaccel.h"
#include <stdlib.h>
#include <string.h>

/* Every value of enum vaccel_tf_data_type is known, including the ones
 * without a fixed element size (STRING, RESOURCE, VARIANT). */
static bool tf_type_known(enum vaccel_tf_data_type type)
{
	return type >= VACCEL_TF_FLOAT && type <= VACCEL_TF_UINT64;
}

/* vaccel_tf_buffer_* and vaccel_tf_tensor_*: the lifecycle shared with
 * torch and TFLite, stated once in tensor_template.h. */
#define TENSOR_PREFIX tf
#define TENSOR_NR_DIMS_T int
#define TENSOR_DIM_T int64_t
#define TENSOR_DTYPE_T enum vaccel_tf_data_type
#define TENSOR_DTYPE_KNOWN tf_type_known
#define TENSOR_DTYPE_NAME "TF"
#define TENSOR_BUFFER_DATA_T void
#include "tensor_template.h"

int vaccel_tf_node_init(struct vaccel_tf_node *node, const char *name, int id)
{
	char *copy;

	if (node)
		memset(node, 0, sizeof(*node));
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
	*node = NULL;
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

int vaccel_tf_status_init(struct vaccel_tf_status *status, uint8_t code,
			  const char *message)
{
	char *copy = NULL;

	if (!status) {
		vaccel_error("%s: NULL status", __func__);
		return VACCEL_EINVAL;
	}
	memset(status, 0, sizeof(*status));
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
	*status = NULL;
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
