// SPDX-License-Identifier: Apache-2.0
/*
 * tf_models <model_file>: loads <model_file> as a TensorFlow and a TFLite
 * model, runs each on a 2 x 3 (3 x 2) float tensor and prints the status
 * and the output tensor the plugin returned. Meant for the noop plugin,
 * whose TF and TFLite runs echo their inputs.
 */
#include <stdint.h>
#include <stdio.h>
#include "util.h"
#include <vaccel.h>

static void models(struct vaccel_session *sess, struct vaccel_resource *m)
{
	int64_t dims[2] = { 2, 3 };
	int32_t ldims[2] = { 3, 2 };
	float data[6] = { 0.5f, 1.5f, -2, 4, 8, 16 };
	struct vaccel_tf_tensor *fin, *fout[1] = { NULL };
	struct vaccel_tflite_tensor *lin, *lout[1] = { NULL };
	struct vaccel_tf_node node = { "serving_default_input", 0 };
	struct vaccel_tf_status status = { 0 };
	uint8_t lstatus = 9;
	int ret;

	ret = vaccel_tf_tensor_new(&fin, 2, dims, VACCEL_TF_FLOAT);
	if (!ret)
		ret = vaccel_tf_tensor_set_data(fin, data, sizeof(data));
	if (!ret)
		ret = vaccel_tf_model_load(sess, m, &status);
	vaccel_tf_status_release(&status);
	if (!ret)
		ret = vaccel_tf_model_run(sess, m, NULL, &node, &fin, 1, &node,
					  fout, 1, &status);
	printf("tf_model_run: %d\n", ret);
	if (!ret) {
		printf("tf status: %u \"%s\"\n", status.code,
		       status.message ? status.message : "");
		printf("tf out: type %d dims %lld x %lld size %zu\n",
		       fout[0]->data_type, (long long)fout[0]->dims[0],
		       (long long)fout[0]->dims[1], fout[0]->size);
		util_print_floats("tf out data", fout[0]->data, 6);
		vaccel_tf_tensor_delete(fout[0]);
		vaccel_tf_status_release(&status);
		vaccel_tf_model_unload(sess, m, &status);
		vaccel_tf_status_release(&status);
	}
	vaccel_tf_tensor_delete(fin);

	ret = vaccel_tflite_tensor_new(&lin, 2, ldims, VACCEL_TFLITE_FLOAT32);
	if (!ret)
		ret = vaccel_tflite_tensor_set_data(lin, data, sizeof(data));
	if (!ret)
		ret = vaccel_tflite_model_load(sess, m);
	if (!ret)
		ret = vaccel_tflite_model_run(sess, m, &lin, 1, lout, 1,
					      &lstatus);
	printf("tflite_model_run: %d status %u\n", ret, lstatus);
	if (!ret) {
		printf("tflite out: type %d dims %d x %d size %zu\n",
		       lout[0]->data_type, lout[0]->dims[0], lout[0]->dims[1],
		       lout[0]->size);
		util_print_floats("tflite out data", lout[0]->data, 6);
		vaccel_tflite_tensor_delete(lout[0]);
		vaccel_tflite_model_unload(sess, m);
	}
	vaccel_tflite_tensor_delete(lin);
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
