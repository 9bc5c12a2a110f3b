// SPDX-License-Identifier: Apache-2.0
/*
 * noop_ops <model_file>: calls minmax (typed and genop), the FPGA ops,
 * sgemm and a torch model run, and prints what each wrote into the
 * program's own variables. Meant for the noop plugin, whose dummy
 * results upstream documents; any plugin may run it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include <vaccel.h>

static void print_doubles(const char *what, const double *v, int n)
{
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %g", v[i]);
	printf("\n");
}

static void minmax(struct vaccel_session *sess)
{
	double in[4] = { 3.5, -12.5, 112.4, 7 }, out[4] = { 0 };
	double min = 0, max = 0;
	int32_t ndata = 4, low = 0, high = 100;
	uint8_t op = VACCEL_OP_MINMAX;
	struct vaccel_arg_array r, w;
	int ret;

	ret = vaccel_minmax(sess, in, 4, 0, 100, out, &min, &max);
	printf("minmax: %d min %g max %g\n", ret, min, max);
	print_doubles("minmax out", out, 4);

	/* genop: min and max are the program's own borrowed variables. */
	min = max = 0;
	memset(out, 0, sizeof(out));
	vaccel_arg_array_init(&r, 5);
	vaccel_arg_array_init(&w, 3);
	vaccel_arg_array_add_uint8(&r, &op);
	vaccel_arg_array_add_double_array(&r, in, 4);
	vaccel_arg_array_add_int32(&r, &ndata);
	vaccel_arg_array_add_int32(&r, &low);
	vaccel_arg_array_add_int32(&r, &high);
	vaccel_arg_array_add_double_array(&w, out, 4);
	vaccel_arg_array_add_double(&w, &min);
	vaccel_arg_array_add_double(&w, &max);
	ret = vaccel_genop(sess, r.args, (int)r.count, w.args, (int)w.count);
	printf("genop minmax: %d min %g max %g\n", ret, min, max);
	print_doubles("genop minmax out", out, 4);
	vaccel_arg_array_release(&r);
	vaccel_arg_array_release(&w);
}

static void fpga(struct vaccel_session *sess)
{
	int ia[3] = { 7, 8, 9 }, ib[3] = { 0 };
	float a[3] = { 1, 2, 3 }, b[3] = { 10, 20, 30 };
	float c[3] = { 0 }, d[3] = { 0 };
	int ret;

	ret = vaccel_fpga_arraycopy(sess, ia, ib, 3);
	printf("fpga_arraycopy: %d out %d %d %d\n", ret, ib[0], ib[1], ib[2]);
	ret = vaccel_fpga_mmult(sess, a, b, c, 3);
	printf("fpga_mmult: %d\n", ret);
	util_print_floats("fpga_mmult c", c, 3);
	ret = vaccel_fpga_parallel(sess, a, b, c, d, 3);
	printf("fpga_parallel: %d\n", ret);
	util_print_floats("fpga_parallel add", c, 3);
	util_print_floats("fpga_parallel mult", d, 3);
	memset(c, 0, sizeof(c));
	ret = vaccel_fpga_vadd(sess, a, b, c, 3, 3);
	printf("fpga_vadd: %d\n", ret);
	util_print_floats("fpga_vadd c", c, 3);
}

static void sgemm(struct vaccel_session *sess)
{
	float a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 };
	float c[4] = { -1, -1, -1, -1 };
	int ret;

	ret = vaccel_sgemm(sess, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
	printf("sgemm: %d\n", ret);
	util_print_floats("sgemm c", c, 4);
}

static void models(struct vaccel_session *sess, struct vaccel_resource *m)
{
	int64_t dims[2] = { 2, 3 };
	float data[6] = { 0.5f, 1.5f, -2, 4, 8, 16 };
	struct vaccel_torch_tensor *tin, *tout[1] = { NULL };
	int ret;

	ret = vaccel_torch_tensor_new(&tin, 2, dims, VACCEL_TORCH_FLOAT);
	if (!ret)
		ret = vaccel_torch_tensor_set_data(tin, data, sizeof(data));
	if (!ret)
		ret = vaccel_torch_model_load(sess, m);
	if (!ret)
		ret = vaccel_torch_model_run(sess, m, NULL, &tin, 1, tout, 1);
	printf("torch_model_run: %d\n", ret);
	if (!ret) {
		printf("torch out: type %d dims %lld x %lld size %zu\n",
		       tout[0]->data_type, (long long)tout[0]->dims[0],
		       (long long)tout[0]->dims[1], tout[0]->size);
		util_print_floats("torch out data", tout[0]->data, 6);
		vaccel_torch_tensor_delete(tout[0]);
	}
	vaccel_torch_tensor_delete(tin);

}

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_resource model;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "Usage: %s <model_file>\n", argv[0]);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	minmax(&sess);
	fpga(&sess);
	sgemm(&sess);
	ret = vaccel_resource_init(&model, argv[1], VACCEL_RESOURCE_MODEL);
	if (!ret)
		ret = vaccel_resource_register(&model, &sess);
	if (ret) {
		fprintf(stderr, "Could not register the model: %d\n", ret);
		return 1;
	}
	models(&sess, &model);
	vaccel_resource_unregister(&model, &sess);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
	return 0;
}
