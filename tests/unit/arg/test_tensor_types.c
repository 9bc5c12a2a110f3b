/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Torch, TF and TFLite buffers/tensors/nodes/statuses, and the internal
 * torch tensor check used by ops and plugins.
 */
#include "tensor_check.h"
#include "testing.h"
#include "vaccel.h"

static void test_torch_dtype_sizes(void)
{
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_BYTE), 1);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_CHAR), 1);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_SHORT), 2);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_INT), 4);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_LONG), 8);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_HALF), 2);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_FLOAT), 4);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_DOUBLE), 8);
	CHECK_INT(vaccel_torch_data_type_size(VACCEL_TORCH_BOOL), 1);
	CHECK_INT(vaccel_torch_data_type_size((enum vaccel_torch_data_type)0),
		  0);
	CHECK_INT(vaccel_torch_data_type_size((enum vaccel_torch_data_type)9),
		  0);
	CHECK_INT(vaccel_torch_data_type_size(
			  (enum vaccel_torch_data_type)1000),
		  0);
}

static void test_torch_buffer(void)
{
	struct vaccel_torch_buffer b, *pb = NULL;
	char *data = strdup("run options");
	void *taken = NULL;
	size_t size = 0;

	REQUIRE(data != NULL);
	REQUIRE(vaccel_torch_buffer_init(&b, data, 12) == VACCEL_OK);
	CHECK(b.data == data);
	CHECK_INT(vaccel_torch_buffer_take_data(&b, &taken, &size), VACCEL_OK);
	CHECK(taken == data);
	CHECK_INT(size, 12);
	CHECK(b.data == NULL);
	CHECK_INT(b.size, 0);
	/* Nothing left to free: the caller owns `data` now. */
	CHECK_INT(vaccel_torch_buffer_release(&b), VACCEL_OK);

	/* Ownership moves to the buffer: release frees it (valgrind). */
	REQUIRE(vaccel_torch_buffer_new(&pb, taken, size) == VACCEL_OK);
	CHECK_INT(vaccel_torch_buffer_delete(pb), VACCEL_OK);
	CHECK_INT(vaccel_torch_buffer_delete(NULL), VACCEL_OK);

	CHECK_INT(vaccel_torch_buffer_init(NULL, NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_buffer_init(&b, NULL, 3), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_buffer_init(&b, NULL, 0), VACCEL_OK);
	CHECK_INT(vaccel_torch_buffer_release(&b), VACCEL_OK);
	CHECK_INT(vaccel_torch_buffer_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_buffer_new(NULL, NULL, 0), VACCEL_EINVAL);
	pb = NULL;
	CHECK_INT(vaccel_torch_buffer_new(&pb, NULL, 3), VACCEL_EINVAL);
	CHECK(pb == NULL);
	CHECK_INT(vaccel_torch_buffer_take_data(NULL, &taken, &size),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_buffer_take_data(&b, NULL, &size),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_buffer_take_data(&b, &taken, NULL),
		  VACCEL_EINVAL);
}

static void test_torch_tensor_init(void)
{
	int64_t dims[3] = { 2, 3, 4 };
	struct vaccel_torch_tensor t;

	REQUIRE(vaccel_torch_tensor_init(&t, 3, dims, VACCEL_TORCH_FLOAT) ==
		VACCEL_OK);
	CHECK(t.dims != dims);
	dims[0] = 99;
	CHECK_INT(t.dims[0], 2);
	CHECK_INT(t.nr_dims, 3);
	CHECK(t.data == NULL);
	CHECK_INT(t.size, 0);
	CHECK(!t.owned);
	CHECK_INT(t.data_type, VACCEL_TORCH_FLOAT);
	CHECK_INT(vaccel_torch_tensor_release(&t), VACCEL_OK);
	CHECK(t.dims == NULL);
	CHECK_INT(vaccel_torch_tensor_release(&t), VACCEL_OK);

	/* A scalar tensor has no dims. */
	REQUIRE(vaccel_torch_tensor_init(&t, 0, NULL, VACCEL_TORCH_LONG) ==
		VACCEL_OK);
	CHECK(t.dims == NULL);
	vaccel_torch_tensor_release(&t);
}

static void test_torch_tensor_init_errors(void)
{
	int64_t dims[20] = { 1, 2 };
	int64_t neg[2] = { 3, -1 };
	struct vaccel_torch_tensor t = { .size = 77 };

	CHECK_INT(vaccel_torch_tensor_init(NULL, 1, dims, VACCEL_TORCH_INT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_init(&t, -1, dims, VACCEL_TORCH_INT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_init(&t, 17, dims, VACCEL_TORCH_INT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_init(&t, 2, NULL, VACCEL_TORCH_INT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_init(&t, 2, neg, VACCEL_TORCH_INT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_init(&t, 2, dims,
					   (enum vaccel_torch_data_type)0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_init(&t, 2, dims,
					   (enum vaccel_torch_data_type)10),
		  VACCEL_EINVAL);
	/* Failures leave the tensor empty, whatever it held, so releasing
	 * it is harmless. */
	CHECK_INT(t.size, 0);
	CHECK(t.dims == NULL && t.data == NULL);
	CHECK_INT(vaccel_torch_tensor_release(&t), VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_init(&t, 16, dims, VACCEL_TORCH_BOOL),
		  VACCEL_OK);
	vaccel_torch_tensor_release(&t);
	CHECK_INT(vaccel_torch_tensor_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_new(NULL, 1, dims, VACCEL_TORCH_INT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_allocate(NULL, 1, dims,
					       VACCEL_TORCH_INT, 4),
		  VACCEL_EINVAL);
	{
		/* A failed _new leaves NULL, not the caller's garbage. */
		struct vaccel_torch_tensor *p = (void *)dims;

		CHECK_INT(vaccel_torch_tensor_new(&p, -1, dims,
						  VACCEL_TORCH_INT),
			  VACCEL_EINVAL);
		CHECK(p == NULL);
		CHECK_INT(vaccel_torch_tensor_delete(p), VACCEL_OK);
	}
}

static void test_torch_tensor_data(void)
{
	int64_t dims[2] = { 2, 2 };
	float stack[4] = { 1, 2, 3, 4 };
	struct vaccel_torch_tensor *t = NULL;
	void *taken = NULL;
	size_t size = 0;
	unsigned char sum = 0;

	REQUIRE(vaccel_torch_tensor_allocate(&t, 2, dims, VACCEL_TORCH_FLOAT,
					     sizeof(stack)) == VACCEL_OK);
	REQUIRE(t->data != NULL);
	CHECK(t->owned);
	CHECK_INT(t->size, 16);
	for (size_t i = 0; i < t->size; i++)
		sum |= ((unsigned char *)t->data)[i];
	CHECK_INT(sum, 0);
	CHECK_INT(vaccel__torch_tensor_check(t, "allocated"), VACCEL_OK);

	/* take_data hands over the owned data. */
	CHECK_INT(vaccel_torch_tensor_take_data(t, &taken, &size), VACCEL_OK);
	CHECK_INT(size, 16);
	CHECK(t->data == NULL);
	CHECK(!t->owned);
	CHECK_INT(t->size, 0);
	free(taken);

	/* set_data borrows: delete must not free the stack array. */
	CHECK_INT(vaccel_torch_tensor_set_data(t, stack, sizeof(stack)),
		  VACCEL_OK);
	CHECK(t->data == stack);
	CHECK(!t->owned);
	CHECK_INT(vaccel__torch_tensor_check(t, "borrowed"), VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_set_data(t, NULL, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_set_data(NULL, stack, 4),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_take_data(t, NULL, &size),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_take_data(NULL, &taken, &size),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_torch_tensor_delete(t), VACCEL_OK);

	/* set_data on a tensor that owns data frees the old data. */
	REQUIRE(vaccel_torch_tensor_allocate(&t, 2, dims, VACCEL_TORCH_FLOAT,
					     16) == VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_set_data(t, stack, sizeof(stack)),
		  VACCEL_OK);
	/* And re-setting the same pointer keeps it. */
	CHECK_INT(vaccel_torch_tensor_set_data(t, stack, 8), VACCEL_OK);
	CHECK(t->data == stack);
	CHECK_INT(t->size, 8);
	CHECK_INT(vaccel_torch_tensor_delete(t), VACCEL_OK);

	/* An owned tensor frees its data on delete. */
	REQUIRE(vaccel_torch_tensor_allocate(&t, 0, NULL, VACCEL_TORCH_DOUBLE,
					     8) == VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_delete(t), VACCEL_OK);
	REQUIRE(vaccel_torch_tensor_new(&t, 1, dims, VACCEL_TORCH_BYTE) ==
		VACCEL_OK);
	CHECK(t->data == NULL);
	CHECK_INT(vaccel_torch_tensor_delete(t), VACCEL_OK);
	CHECK_INT(vaccel_torch_tensor_delete(NULL), VACCEL_OK);
	t = NULL;
	CHECK_INT(vaccel_torch_tensor_allocate(&t, 1, dims,
					       (enum vaccel_torch_data_type)42,
					       4),
		  VACCEL_EINVAL);
	CHECK(t == NULL);
}

static void test_torch_tensor_check(void)
{
	int64_t dims[3] = { 2, 3, 4 };
	int64_t huge[2] = { INT64_C(1) << 62, 4 };
	int64_t zero[2] = { 0, 5 };
	int64_t many[17] = { 0 };
	double data[24] = { 0 };
	struct vaccel_torch_tensor good = {
		.data = data, .size = sizeof(data), .nr_dims = 3,
		.dims = dims, .data_type = VACCEL_TORCH_DOUBLE,
	};
	struct vaccel_torch_tensor t;
	int64_t scalar_dims = 0;

	CHECK_INT(vaccel__torch_tensor_check(&good, "good"), VACCEL_OK);
	CHECK_INT(vaccel__torch_tensor_check(&good, NULL), VACCEL_OK);

	t = good;
	t.nr_dims = 0;
	t.dims = NULL;
	t.size = sizeof(double);
	CHECK_INT(vaccel__torch_tensor_check(&t, "scalar"), VACCEL_OK);

	t = good;
	t.dims = zero;
	t.nr_dims = 2;
	t.size = 0;
	t.data = NULL;
	CHECK_INT(vaccel__torch_tensor_check(&t, "empty"), VACCEL_OK);

	CHECK_INT(vaccel__torch_tensor_check(NULL, "null"), VACCEL_EINVAL);

	t = good;
	t.data_type = (enum vaccel_torch_data_type)0;
	CHECK_INT(vaccel__torch_tensor_check(&t, "dtype"), VACCEL_EINVAL);

	t = good;
	t.data_type = VACCEL_TORCH_FLOAT;
	CHECK_INT(vaccel__torch_tensor_check(&t, "size for dtype"),
		  VACCEL_EINVAL);

	t = good;
	t.size -= 8;
	CHECK_INT(vaccel__torch_tensor_check(&t, "short"), VACCEL_EINVAL);

	t = good;
	t.nr_dims = -1;
	CHECK_INT(vaccel__torch_tensor_check(&t, "neg nr_dims"),
		  VACCEL_EINVAL);

	t = good;
	t.nr_dims = 17;
	t.dims = many;
	t.size = 0;
	CHECK_INT(vaccel__torch_tensor_check(&t, "17 dims"), VACCEL_EINVAL);

	t = good;
	t.dims = NULL;
	CHECK_INT(vaccel__torch_tensor_check(&t, "no dims"), VACCEL_EINVAL);

	t = good;
	dims[1] = -3;
	CHECK_INT(vaccel__torch_tensor_check(&t, "neg dim"), VACCEL_EINVAL);
	dims[1] = 3;

	t = good;
	t.data = NULL;
	CHECK_INT(vaccel__torch_tensor_check(&t, "no data"), VACCEL_EINVAL);

	/* 2^62 * 4 * 8 bytes wraps to 0 in 64 bits: must not pass as an
	 * empty tensor. */
	t = good;
	t.dims = huge;
	t.nr_dims = 2;
	t.size = 0;
	t.data = NULL;
	CHECK_INT(vaccel__torch_tensor_check(&t, "overflow"), VACCEL_EINVAL);
	huge[0] = INT64_MAX;
	huge[1] = 1;
	CHECK_INT(vaccel__torch_tensor_check(&t, "overflow2"), VACCEL_EINVAL);

	/* A one-element 1-D tensor. */
	scalar_dims = 1;
	t = good;
	t.dims = &scalar_dims;
	t.nr_dims = 1;
	t.size = 8;
	CHECK_INT(vaccel__torch_tensor_check(&t, "1-d"), VACCEL_OK);
}

static void test_tf_types(void)
{
	int64_t dims[2] = { 3, 1 };
	struct vaccel_tf_buffer b, *pb = NULL;
	struct vaccel_tf_node n, *pn = NULL;
	struct vaccel_tf_status s, *ps = NULL;
	struct vaccel_tf_tensor t, *pt = NULL;
	char name[] = "serving_default_input";
	int32_t stack[3] = { 1, 2, 3 };
	void *taken = NULL;
	size_t size = 0;

	REQUIRE(vaccel_tf_buffer_init(&b, malloc(8), 8) == VACCEL_OK);
	CHECK_INT(vaccel_tf_buffer_release(&b), VACCEL_OK);
	CHECK(b.data == NULL);
	REQUIRE(vaccel_tf_buffer_new(&pb, malloc(4), 4) == VACCEL_OK);
	CHECK_INT(vaccel_tf_buffer_take_data(pb, &taken, &size), VACCEL_OK);
	CHECK_INT(size, 4);
	free(taken);
	CHECK_INT(vaccel_tf_buffer_delete(pb), VACCEL_OK);
	CHECK_INT(vaccel_tf_buffer_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_tf_buffer_init(&b, NULL, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_buffer_init(NULL, NULL, 0), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_buffer_take_data(&b, NULL, &size), VACCEL_EINVAL);

	REQUIRE(vaccel_tf_node_init(&n, name, 3) == VACCEL_OK);
	CHECK(n.name != name);
	name[0] = 'X';
	CHECK_STR(n.name, "serving_default_input");
	CHECK_INT(n.id, 3);
	CHECK_INT(vaccel_tf_node_release(&n), VACCEL_OK);
	CHECK(n.name == NULL);
	CHECK_INT(vaccel_tf_node_init(&n, NULL, 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_node_init(NULL, "a", 1), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_node_release(NULL), VACCEL_EINVAL);
	REQUIRE(vaccel_tf_node_new(&pn, "out", 0) == VACCEL_OK);
	CHECK_STR(pn->name, "out");
	CHECK_INT(vaccel_tf_node_delete(pn), VACCEL_OK);
	CHECK_INT(vaccel_tf_node_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_tf_node_new(NULL, "x", 0), VACCEL_EINVAL);

	REQUIRE(vaccel_tf_status_init(&s, 3, "bad input") == VACCEL_OK);
	CHECK_STR(s.message, "bad input");
	CHECK_INT(s.code, 3);
	CHECK_INT(vaccel_tf_status_release(&s), VACCEL_OK);
	REQUIRE(vaccel_tf_status_init(&s, 0, NULL) == VACCEL_OK);
	CHECK(s.message == NULL);
	CHECK_INT(vaccel_tf_status_release(&s), VACCEL_OK);
	REQUIRE(vaccel_tf_status_new(&ps, 1, "x") == VACCEL_OK);
	CHECK_INT(vaccel_tf_status_delete(ps), VACCEL_OK);
	CHECK_INT(vaccel_tf_status_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_tf_status_init(NULL, 0, "x"), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_status_new(NULL, 0, "x"), VACCEL_EINVAL);

	REQUIRE(vaccel_tf_tensor_init(&t, 2, dims, VACCEL_TF_INT32) ==
		VACCEL_OK);
	dims[0] = 7;
	CHECK_INT(t.dims[0], 3);
	CHECK_INT(vaccel_tf_tensor_set_data(&t, stack, sizeof(stack)),
		  VACCEL_OK);
	CHECK_INT(vaccel_tf_tensor_release(&t), VACCEL_OK);
	CHECK_INT(vaccel_tf_tensor_init(&t, 2, dims, (enum vaccel_tf_data_type)0),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_tensor_init(&t, 2, dims,
					(enum vaccel_tf_data_type)24),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_tensor_init(&t, -2, dims, VACCEL_TF_FLOAT),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_tensor_init(&t, 1, NULL, VACCEL_TF_FLOAT),
		  VACCEL_EINVAL);
	REQUIRE(vaccel_tf_tensor_allocate(&pt, 2, dims, VACCEL_TF_UINT64,
					  56) == VACCEL_OK);
	CHECK(pt->owned);
	CHECK_INT(pt->size, 56);
	CHECK_INT(vaccel_tf_tensor_take_data(pt, &taken, &size), VACCEL_OK);
	CHECK_INT(size, 56);
	free(taken);
	CHECK_INT(vaccel_tf_tensor_delete(pt), VACCEL_OK);
	REQUIRE(vaccel_tf_tensor_new(&pt, 0, NULL, VACCEL_TF_STRING) ==
		VACCEL_OK);
	CHECK_INT(vaccel_tf_tensor_delete(pt), VACCEL_OK);
	CHECK_INT(vaccel_tf_tensor_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_tf_tensor_set_data(NULL, stack, 4), VACCEL_EINVAL);
	CHECK_INT(vaccel_tf_tensor_release(NULL), VACCEL_EINVAL);
}

static void test_tflite_types(void)
{
	int32_t dims[3] = { 1, 224, 224 };
	int32_t neg[1] = { -224 };
	struct vaccel_tflite_tensor t, *pt = NULL;
	unsigned char stack[4] = { 0 };
	void *taken = NULL;
	size_t size = 0;

	REQUIRE(vaccel_tflite_tensor_init(&t, 3, dims, VACCEL_TFLITE_UINT8) ==
		VACCEL_OK);
	dims[1] = 1;
	CHECK_INT(t.dims[1], 224);
	CHECK_INT(t.nr_dims, 3);
	CHECK_INT(vaccel_tflite_tensor_set_data(&t, stack, sizeof(stack)),
		  VACCEL_OK);
	CHECK_INT(vaccel_tflite_tensor_take_data(&t, &taken, &size),
		  VACCEL_OK);
	CHECK(taken == stack);
	CHECK_INT(vaccel_tflite_tensor_release(&t), VACCEL_OK);

	CHECK_INT(vaccel_tflite_tensor_init(&t, 1, neg, VACCEL_TFLITE_UINT8),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tflite_tensor_init(&t, 1, dims, VACCEL_TFLITE_NOTYPE),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tflite_tensor_init(&t, 1, dims,
					    (enum vaccel_tflite_data_type)19),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tflite_tensor_init(&t, 1, dims, VACCEL_TFLITE_INT4),
		  VACCEL_OK);
	vaccel_tflite_tensor_release(&t);
	CHECK_INT(vaccel_tflite_tensor_init(NULL, 1, dims, VACCEL_TFLITE_INT8),
		  VACCEL_EINVAL);

	REQUIRE(vaccel_tflite_tensor_allocate(&pt, 3, dims,
					      VACCEL_TFLITE_FLOAT32,
					      224 * 4) == VACCEL_OK);
	CHECK(pt->owned);
	CHECK_INT(vaccel_tflite_tensor_delete(pt), VACCEL_OK);
	REQUIRE(vaccel_tflite_tensor_new(&pt, 0, NULL, VACCEL_TFLITE_BOOL) ==
		VACCEL_OK);
	CHECK_INT(vaccel_tflite_tensor_delete(pt), VACCEL_OK);
	CHECK_INT(vaccel_tflite_tensor_delete(NULL), VACCEL_OK);
	CHECK_INT(vaccel_tflite_tensor_new(NULL, 0, NULL, VACCEL_TFLITE_BOOL),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_tflite_tensor_release(NULL), VACCEL_EINVAL);
}

TEST_MAIN(test_torch_dtype_sizes, test_torch_buffer, test_torch_tensor_init,
	  test_torch_tensor_init_errors, test_torch_tensor_data,
	  test_torch_tensor_check, test_tf_types, test_tflite_types)
