// SPDX-License-Identifier: Apache-2.0
/*
 * torch_run <model_file> <shape>[,<shape>...]: loads a TorchScript model
 * the way upstream's torch_inference example does (a MODEL resource,
 * vaccel_torch_model_load, vaccel_torch_model_run), feeds it one float
 * tensor per shape ("1x3x32x32") filled with a fixed pattern, and prints
 * every output: its dims, and either all its values or (past 16) its sum
 * and top 5. tests/compat/torch_reference.py computes the same with
 * PyTorch for comparison.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vaccel.h>

#define MAX_IO 4
#define MAX_DIMS 8

/* Input t, element i: a pattern both this program and the reference
 * compute exactly in float32. */
static float pattern(size_t t, size_t i)
{
	return (float)((i * 7919 + t * 104729) % 1000) / 1000.0f - 0.5f;
}

static int parse_shapes(char *spec, int64_t dims[][MAX_DIMS], int *nr_dims)
{
	int n = 0;

	for (char *s = strtok(spec, ","); s; s = strtok(NULL, ",")) {
		if (n == MAX_IO)
			return -1;
		nr_dims[n] = 0;
		for (char *d = s; *d;) {
			char *end;
			long long v = strtoll(d, &end, 10);

			if (end == d || v <= 0 || nr_dims[n] == MAX_DIMS)
				return -1;
			dims[n][nr_dims[n]++] = v;
			d = *end == 'x' ? end + 1 : end;
			if (*end && *end != 'x')
				return -1;
		}
		n++;
	}
	return n;
}

static void print_output(int k, const struct vaccel_torch_tensor *t)
{
	const float *v = t->data;
	size_t n = t->size / sizeof(float);
	int top[5] = { -1, -1, -1, -1, -1 };
	double sum = 0;

	printf("output %d: type %d dims", k, t->data_type);
	for (int64_t d = 0; d < t->nr_dims; d++)
		printf(" %" PRId64, t->dims[d]);
	printf("\n");
	if (t->data_type != VACCEL_TORCH_FLOAT)
		return;
	if (n <= 16) {
		printf("output %d values:", k);
		for (size_t i = 0; i < n; i++)
			printf(" %.6e", (double)v[i]);
		printf("\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		for (int j = 0; j < 5; j++) {
			if (top[j] < 0 || v[i] > v[top[j]]) {
				memmove(&top[j + 1], &top[j],
					(4 - (size_t)j) * sizeof(int));
				top[j] = (int)i;
				break;
			}
		}
	}
	printf("output %d sum: %.6e\n", k, sum);
	printf("output %d top5:", k);
	for (int j = 0; j < 5; j++)
		printf(" %d=%.6e", top[j], (double)v[top[j]]);
	printf("\n");
}

int main(int argc, char **argv)
{
	int64_t dims[MAX_IO][MAX_DIMS];
	int nr_dims[MAX_IO];
	struct vaccel_session sess;
	struct vaccel_resource model;
	struct vaccel_torch_tensor *in[MAX_IO], *out[MAX_IO] = { NULL };
	struct vaccel_torch_buffer run_options = { 0 };
	float *data[MAX_IO] = { NULL };
	int nr_in, nr_out, ret;

	if (argc != 4) {
		fprintf(stderr,
			"Usage: %s <model_file> <shape>[,<shape>...] <nr_outputs>\n",
			argv[0]);
		return 1;
	}
	nr_in = parse_shapes(argv[2], dims, nr_dims);
	nr_out = atoi(argv[3]);
	if (nr_in <= 0 || nr_out <= 0 || nr_out > MAX_IO) {
		fprintf(stderr, "Bad shapes or output count\n");
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	ret = vaccel_resource_init(&model, argv[1], VACCEL_RESOURCE_MODEL);
	if (!ret)
		ret = vaccel_resource_register(&model, &sess);
	if (!ret)
		ret = vaccel_torch_model_load(&sess, &model);
	printf("model_load: %d\n", ret);
	if (ret)
		return 1;

	for (int t = 0; t < nr_in; t++) {
		size_t count = 1;

		for (int d = 0; d < nr_dims[t]; d++)
			count *= (size_t)dims[t][d];
		data[t] = malloc(count * sizeof(float));
		if (!data[t])
			return 1;
		for (size_t i = 0; i < count; i++)
			data[t][i] = pattern((size_t)t, i);
		ret = vaccel_torch_tensor_new(&in[t], nr_dims[t], dims[t],
					      VACCEL_TORCH_FLOAT);
		if (!ret)
			ret = vaccel_torch_tensor_set_data(
				in[t], data[t], count * sizeof(float));
		if (ret)
			return 1;
	}
	ret = vaccel_torch_model_run(&sess, &model, &run_options, in, nr_in,
				     out, nr_out);
	printf("model_run: %d\n", ret);
	for (int k = 0; !ret && k < nr_out; k++) {
		print_output(k, out[k]);
		vaccel_torch_tensor_delete(out[k]);
	}
	for (int t = 0; t < nr_in; t++) {
		vaccel_torch_tensor_delete(in[t]);
		free(data[t]);
	}
	vaccel_resource_unregister(&model, &sess);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
	return ret ? 1 : 0;
}
