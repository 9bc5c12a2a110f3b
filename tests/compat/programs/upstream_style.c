// SPDX-License-Identifier: Apache-2.0
/*
 * A program written the way programs for upstream vAccel are written: only
 * <vaccel.h>, upstream's names, struct fields touched directly, no helpers
 * of this project. tests/compat/stage.sh builds it against the *installed*
 * headers with `pkg-config --cflags --libs vaccel`; run.sh (case
 * upstream_style) runs it on the exec and noop plugins, locally and through
 * the agent. It must compile unchanged; every call must succeed.
 *
 *   upstream_style <lib_file> <model_file>
 */
#include <vaccel.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                    \
	do {                                                           \
		int check__ret = (call);                               \
		if (check__ret != VACCEL_OK) {                         \
			fprintf(stderr, "%s:%d: %s = %d\n", __FILE__,  \
				__LINE__, #call, check__ret);          \
			exit(1);                                       \
		}                                                      \
	} while (0)

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_resource res, model;
	struct vaccel_arg_array read_args, write_args;
	struct vaccel_prof_region region = VACCEL_PROF_REGION_INIT("compat");
	struct vaccel_torch_tensor *in, *out[1] = { NULL };
	struct vaccel_torch_buffer run_options = { 0 };
	int64_t dims[] = { 1, 3, 32, 32 };
	float *data;
	char out_text[256], out_imgname[256];
	uint8_t op = VACCEL_OP_EXEC;
	int32_t input = 21, output = 0;
	char lib_symbol[] = "mytestfunc";
	char image[] = "not really an image";

	if (argc != 3) {
		fprintf(stderr, "usage: %s <lib_file> <model_file>\n", argv[0]);
		return 1;
	}

	printf("vAccel %s\n", VACCEL_VERSION);
	sess.hint = 0;
	CHECK(vaccel_session_init(&sess, VACCEL_PLUGIN_NONE));
	vaccel_info("session %" PRId64 " created", sess.id);

	/* exec_with_resource, with the upstream arg-array helpers. */
	CHECK(vaccel_resource_init(&res, argv[1], VACCEL_RESOURCE_LIB));
	CHECK(vaccel_resource_register(&res, &sess));
	if (vaccel_resource_refcount(&res) != 1)
		return 1;
	CHECK(vaccel_arg_array_init(&read_args, 1));
	CHECK(vaccel_arg_array_init(&write_args, 1));
	CHECK(vaccel_arg_array_add_int32(&read_args, &input));
	CHECK(vaccel_arg_array_add_int32(&write_args, &output));
	CHECK(vaccel_prof_region_start(&region));
	CHECK(vaccel_exec_with_resource(&sess, &res, lib_symbol,
					read_args.args, read_args.count,
					write_args.args, write_args.count));
	CHECK(vaccel_prof_region_stop(&region));
	vaccel_arg_array_reset_position(&write_args);
	CHECK(vaccel_arg_array_get_int32(&write_args, &output));
	printf("exec_with_resource: %d -> %d\n", input, output);
	if (output != 2 * input)
		return 1;

	/* genop with read[0] = UINT8 op type. */
	vaccel_arg_array_clear(&read_args);
	CHECK(vaccel_arg_array_add_uint8(&read_args, &op));
	CHECK(vaccel_arg_array_add_string(&read_args, argv[1]));
	CHECK(vaccel_arg_array_add_string(&read_args, lib_symbol));
	CHECK(vaccel_arg_array_add_int32(&read_args, &input));
	output = 0;
	vaccel_arg_array_reset_position(&write_args);
	CHECK(vaccel_arg_array_set_int32(&write_args, &output));
	CHECK(vaccel_genop(&sess, read_args.args, (int)read_args.count,
			   write_args.args, (int)write_args.count));
	printf("genop exec: %d -> %d\n", input, *(int32_t *)write_args.args[0].buf);

	CHECK(vaccel_arg_array_release(&read_args));
	CHECK(vaccel_arg_array_release(&write_args));
	CHECK(vaccel_resource_unregister(&res, &sess));
	CHECK(vaccel_resource_release(&res));

	/* Torch-style tensors and a model resource (run on the noop plugin,
	 * which fills dummy outputs). */
	CHECK(vaccel_resource_init(&model, argv[2], VACCEL_RESOURCE_MODEL));
	CHECK(vaccel_resource_register(&model, &sess));
	CHECK(vaccel_torch_tensor_new(&in, 4, dims, VACCEL_TORCH_FLOAT));
	data = calloc(3 * 32 * 32, sizeof(*data));
	CHECK(vaccel_torch_tensor_set_data(in, data, 3 * 32 * 32 * sizeof(*data)));
	CHECK(vaccel_torch_model_load(&sess, &model));
	CHECK(vaccel_torch_model_run(&sess, &model, &run_options, &in, 1, out, 1));
	printf("torch_model_run: %lld dims, type %d, %zu bytes\n",
	       (long long)out[0]->nr_dims, out[0]->data_type, out[0]->size);
	CHECK(vaccel_torch_tensor_delete(out[0]));
	CHECK(vaccel_torch_tensor_delete(in));
	free(data);

	CHECK(vaccel_image_classification(&sess, image, (unsigned char *)out_text,
					  (unsigned char *)out_imgname,
					  sizeof(image), sizeof(out_text),
					  sizeof(out_imgname)));
	printf("classification: %s\n", out_text);

	CHECK(vaccel_resource_unregister(&model, &sess));
	CHECK(vaccel_resource_release(&model));
	CHECK(vaccel_prof_region_print(&region));
	CHECK(vaccel_prof_region_release(&region));
	CHECK(vaccel_session_release(&sess));
	printf("%s: OK\n", vaccel_op_type_to_str(VACCEL_OP_NOOP));
	return 0;
}
