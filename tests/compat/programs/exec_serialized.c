// SPDX-License-Identifier: Apache-2.0
/*
 * exec_serialized <lib_file>: passes a structure to an exec'd function
 * serialized, once with the arg-array API (add_serialized /
 * get_serialized) and once with the deprecated arg-list API upstream's Go
 * bindings and older programs use (add_serial_arg, add_nonserial_arg,
 * expect_*, extract_*, delete_args), and prints what came back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vaccel.h>

#define N 5

struct mydata {
	uint32_t count;
	int32_t *values;
};

static int failures;

/* {count, values...} as one malloc'd block. */
static void *pack(const struct mydata *d, uint32_t *bytes)
{
	uint8_t *buf;

	*bytes = sizeof(d->count) + d->count * sizeof(int32_t);
	buf = malloc(*bytes);
	if (!buf)
		return NULL;
	memcpy(buf, &d->count, sizeof(d->count));
	memcpy(buf + sizeof(d->count), d->values, d->count * sizeof(int32_t));
	return buf;
}

/* The arg-array API's serializer shape. */
static int serializer(const void *data, size_t data_size, uint32_t id,
		      void **buf, size_t *size)
{
	uint32_t bytes;

	(void)data_size;
	(void)id;
	*buf = pack(data, &bytes);
	*size = bytes;
	return *buf ? VACCEL_OK : VACCEL_ENOMEM;
}

/* The deprecated API's serializer shape. */
static void *old_serializer(void *data, uint32_t *bytes)
{
	return pack(data, bytes);
}

/* Result: {sum, doubled values...} into the caller's int32 array. */
static int deserializer(const void *buf, size_t size, uint32_t id,
			size_t data_size, void *data)
{
	(void)id;
	if (size != data_size)
		return VACCEL_EINVAL;
	memcpy(data, buf, size);
	return VACCEL_OK;
}

static void *old_deserializer(void *buf, uint32_t size)
{
	int32_t *out = malloc(size);

	if (out)
		memcpy(out, buf, size);
	return out;
}

static void check(const char *api, const int32_t *result,
		  const int32_t *values)
{
	int32_t sum = 0;
	int wrong = 0;

	for (int i = 0; i < N; i++) {
		sum += values[i];
		wrong |= result[i + 1] != 2 * values[i];
	}
	wrong |= result[0] != sum;
	printf("%s: sum %d doubled", api, result[0]);
	for (int i = 0; i < N; i++)
		printf(" %d", result[i + 1]);
	printf(" %s\n", wrong ? "WRONG" : "ok");
	failures += wrong;
}

static int with_arg_array(struct vaccel_session *sess, const char *lib,
			  struct mydata *d)
{
	struct vaccel_arg_array read, write;
	int32_t result[N + 1] = { 0 }, back[N + 1] = { 0 };
	int ret;

	vaccel_arg_array_init(&read, 1);
	vaccel_arg_array_init(&write, 1);
	ret = vaccel_arg_array_add_serialized(&read, VACCEL_ARG_RAW, 0, d,
					      sizeof(*d), serializer);
	if (!ret)
		ret = vaccel_arg_array_add_raw(&write, result, sizeof(result));
	if (!ret)
		ret = vaccel_exec(sess, lib, "sum_and_double", read.args,
				  read.count, write.args, write.count);
	if (!ret)
		ret = vaccel_arg_array_get_serialized(&write, VACCEL_ARG_RAW, 0,
						      back, sizeof(back),
						      deserializer);
	if (ret) {
		printf("arg-array serialized exec: error %d\n", ret);
		failures++;
	} else {
		/* The borrowed buffer and the deserialized copy agree. */
		check("arg-array serialized exec", result, d->values);
		check("arg-array get_serialized", back, d->values);
	}
	vaccel_arg_array_release(&read);
	vaccel_arg_array_release(&write);
	return ret;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int with_arg_list(struct vaccel_session *sess, const char *lib,
			 struct mydata *d)
{
	struct vaccel_arg_list *read = vaccel_args_init(1);
	struct vaccel_arg_list *write = vaccel_args_init(1);
	struct vaccel_arg_list *r2 = vaccel_args_init(1);
	struct vaccel_arg_list *w2 = vaccel_args_init(1);
	int32_t input = 17, output = 0, *result;
	int ret;

	if (!read || !write || !r2 || !w2) {
		printf("arg-list: vaccel_args_init failed\n");
		return VACCEL_ENOMEM;
	}
	/* Non-serialized in, non-serialized out. */
	ret = vaccel_add_nonserial_arg(read, d, 0, old_serializer);
	if (!ret)
		ret = vaccel_expect_nonserial_arg(write,
						  (N + 1) * sizeof(int32_t));
	if (!ret)
		ret = vaccel_exec(sess, lib, "sum_and_double", read->list,
				  read->size, write->list, write->size);
	if (ret) {
		printf("arg-list nonserial exec: error %d\n", ret);
		failures++;
	} else {
		result = vaccel_extract_nonserial_arg(write->list, 0,
						      old_deserializer);
		if (result)
			check("arg-list nonserial exec", result, d->values);
		else
			failures++;
		free(result);
	}

	/* Serial (already raw) in and out: mytestfunc doubles an int. */
	ret = vaccel_add_serial_arg(r2, &input, sizeof(input));
	if (!ret)
		ret = vaccel_expect_serial_arg(w2, &output, sizeof(output));
	if (!ret)
		ret = vaccel_exec(sess, lib, "mytestfunc", r2->list, r2->size,
				  w2->list, w2->size);
	if (ret) {
		printf("arg-list serial exec: error %d\n", ret);
		failures++;
	} else {
		int32_t *p = vaccel_extract_serial_arg(w2->list, 0);

		printf("arg-list serial exec mytestfunc(17): %d %s\n", output,
		       output == 34 && p == &output ? "ok" : "WRONG");
		failures += !(output == 34 && p == &output);
	}
	/* A full list refuses more. */
	printf("arg-list add past the end: %s\n",
	       vaccel_add_serial_arg(r2, &input, sizeof(input)) ? "refused" :
								   "WRONG");
	vaccel_delete_args(read);
	vaccel_delete_args(write);
	vaccel_delete_args(r2);
	vaccel_delete_args(w2);
	return ret;
}
#pragma GCC diagnostic pop

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	int32_t values[N] = { 3, 1, 4, 1, 5 };
	struct mydata d = { N, values };
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s <lib_file>\n", argv[0]);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	with_arg_array(&sess, argv[1], &d);
	with_arg_list(&sess, argv[1], &d);
	vaccel_session_release(&sess);
	return failures ? 1 : 0;
}
