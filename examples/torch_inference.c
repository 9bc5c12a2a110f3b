/* SPDX-License-Identifier: Apache-2.0 */
/*
 * torch_inference: loads a TorchScript classifier through vAccel and runs it
 * on one image.
 *
 *   torch_inference <image> <model> <labels> [iterations] [--out FILE]
 *
 * The image is decoded, resized to VACCEL_TORCH_INPUT_SIZE (default 224) and
 * ImageNet-normalised here, with the same code the torch plugin and the
 * native baseline use, then passed as a 1x3xNxN float tensor to
 * vaccel_torch_model_run(). Prints one "run <i>: <ms> ms" line per call (the
 * same format and clock as tools/torch-native), the mean, the top-1
 * label and the top-5 scores. --out writes the last output's raw bytes.
 */
#include "preprocess.h"

#include <vaccel.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	int ret = -1;

	if (!f) {
		fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "cannot size %s\n", path);
		goto out;
	}
	*buf = malloc((size_t)n);
	if (!*buf)
		goto out;
	if (fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		free(*buf);
		*buf = NULL;
		goto out;
	}
	*len = (size_t)n;
	ret = 0;
out:
	fclose(f);
	return ret;
}

/* Line `idx` of the labels file (without its newline), or "?". */
static void label_of(const char *labels, long idx, char *out, size_t size)
{
	FILE *f = fopen(labels, "r");
	long i = 0;

	snprintf(out, size, "?");
	if (!f)
		return;
	while (fgets(out, (int)size, f)) {
		if (i++ == idx) {
			out[strcspn(out, "\r\n")] = '\0';
			fclose(f);
			return;
		}
	}
	snprintf(out, size, "?");
	fclose(f);
}

static void print_top5(const float *scores, size_t n, const char *labels)
{
	char label[256];
	long best[5] = { -1, -1, -1, -1, -1 };

	for (int r = 0; r < 5 && r < (int)n; r++) {
		for (size_t i = 0; i < n; i++) {
			int taken = 0;
			for (int j = 0; j < r; j++)
				taken |= best[j] == (long)i;
			if (!taken &&
			    (best[r] < 0 || scores[i] > scores[best[r]]))
				best[r] = (long)i;
		}
	}
	label_of(labels, best[0], label, sizeof(label));
	printf("top-1: %ld %s\n", best[0], label);
	for (int r = 0; r < 5 && r < (int)n; r++) {
		label_of(labels, best[r], label, sizeof(label));
		printf("  %d. [%ld] %-30s %f\n", r + 1, best[r], label,
		       scores[best[r]]);
	}
}

int main(int argc, char **argv)
{
	const char *pos[4] = { NULL, NULL, NULL, "1" }, *out_path = NULL;
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	struct vaccel_torch_tensor *in = NULL, *out = NULL;
	char *img = NULL, err[256];
	float *chw = NULL;
	size_t len = 0, n = 0;
	long iterations;
	double total = 0;
	int ret = 1, npos = 0, size;
	int sess_ok = 0, res_ok = 0, reg_ok = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out_path = argv[++i];
		else if (npos < 4)
			pos[npos++] = argv[i];
	}
	iterations = strtol(pos[3], NULL, 10);
	if (npos < 3 || iterations < 1) {
		fprintf(stderr,
			"usage: %s <image> <model> <labels> [iterations] [--out FILE]\n",
			argv[0]);
		return 2;
	}

	/* An unreadable labels file is a usage error found before any work:
	 * printing "?" as every label would hide it. */
	{
		FILE *lf = fopen(pos[2], "r");

		if (!lf) {
			fprintf(stderr, "cannot read labels file %s: %s\n",
				pos[2], strerror(errno));
			return 1;
		}
		fclose(lf);
	}

	size = vtorch_input_size(0);
	if (size < 1) {
		fprintf(stderr, "bad VACCEL_TORCH_INPUT_SIZE\n");
		return 1;
	}
	if (read_file(pos[0], &img, &len))
		return 1;
	if (vtorch_preprocess(img, len, size, &chw, &n, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", pos[0], err);
		goto out;
	}

	if (vaccel_resource_init(&model, pos[1], VACCEL_RESOURCE_MODEL)) {
		fprintf(stderr, "cannot create a model resource from %s: %s\n",
			pos[1], vaccel_last_error_message());
		goto out;
	}
	res_ok = 1;
	if (vaccel_session_init(&sess, 0)) {
		fprintf(stderr, "cannot create a session: %s\n",
			vaccel_last_error_message());
		goto out;
	}
	sess_ok = 1;
	if (vaccel_resource_register(&model, &sess)) {
		fprintf(stderr, "cannot register the model: %s\n",
			vaccel_last_error_message());
		goto out;
	}
	reg_ok = 1;
	if (vaccel_torch_model_load(&sess, &model)) {
		fprintf(stderr, "cannot load %s: %s\n", pos[1],
			vaccel_last_error_message());
		goto out;
	}

	int64_t dims[4] = { 1, 3, size, size };
	if (vaccel_torch_tensor_new(&in, 4, dims, VACCEL_TORCH_FLOAT) ||
	    vaccel_torch_tensor_set_data(in, chw, n * sizeof(float))) {
		fprintf(stderr, "cannot make the input tensor\n");
		goto out;
	}

	for (long it = 0; it < iterations; it++) {
		double t0, dt;

		vaccel_torch_tensor_delete(out);
		out = NULL;
		t0 = now_ms();
		if (vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out,
					   1)) {
			fprintf(stderr, "model run %ld failed: %s\n", it + 1,
				vaccel_last_error_message());
			goto out;
		}
		dt = now_ms() - t0;
		total += dt;
		printf("run %ld: %.3f ms\n", it + 1, dt);
	}
	printf("mean: %.3f ms over %ld runs\n", total / (double)iterations,
	       iterations);

	if (out->data_type != VACCEL_TORCH_FLOAT) {
		fprintf(stderr, "the model returned dtype %d, not FLOAT\n",
			(int)out->data_type);
		goto out;
	}
	print_top5(out->data, out->size / sizeof(float), pos[2]);
	if (out_path) {
		FILE *f = fopen(out_path, "wb");
		if (!f || fwrite(out->data, 1, out->size, f) != out->size) {
			fprintf(stderr, "cannot write %s\n", out_path);
			if (f)
				fclose(f);
			goto out;
		}
		fclose(f);
	}
	ret = 0;
out:
	vaccel_torch_tensor_delete(out);
	vaccel_torch_tensor_delete(in);
	if (reg_ok)
		vaccel_resource_unregister(&model, &sess);
	if (sess_ok)
		vaccel_session_release(&sess);
	if (res_ok)
		vaccel_resource_release(&model);
	free(chw);
	free(img);
	return ret;
}
