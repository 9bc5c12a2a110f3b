// SPDX-License-Identifier: Apache-2.0
/*
 * torch_ref: runs a TorchScript model or classifies an image through the C
 * API, so that the Python tests can compare the bindings' results with C's
 * byte for byte. The plugin comes from VACCEL_PLUGINS (torch, or rpc to an
 * agent), exactly as for the Python side. Sessions carry the TORCH hint so
 * that, through rpc, the agent picks its torch plugin too.
 *
 *   torch_ref run <model> <input.bin> <dims e.g. 1,3,32,32> <out.bin>
 *       float32 input; writes output 0's bytes and prints its dims
 *   torch_ref classify <model> <image>
 *       prints the label
 */
#include <vaccel.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIMS 8

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		fprintf(stderr, "torch_ref: cannot open %s\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
out:
	fclose(f);
	if (!buf)
		fprintf(stderr, "torch_ref: cannot read %s\n", path);
	return buf;
}

static int parse_dims(const char *s, int64_t *dims, int64_t *nr)
{
	char *end;

	*nr = 0;
	while (*s && *nr < MAX_DIMS) {
		dims[(*nr)++] = strtoll(s, &end, 10);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return *s ? -1 : 0;
}

static int open_model(struct vaccel_session *sess,
		      struct vaccel_resource *model, const char *path)
{
	int ret = vaccel_session_init(sess, VACCEL_PLUGIN_TORCH);

	if (ret) {
		fprintf(stderr, "torch_ref: session: %s\n",
			vaccel_strerror(ret));
		return ret;
	}
	ret = vaccel_resource_init(model, path, VACCEL_RESOURCE_MODEL);
	if (ret) {
		fprintf(stderr, "torch_ref: resource %s: %s\n", path,
			vaccel_strerror(ret));
		goto release_sess;
	}
	ret = vaccel_resource_register(model, sess);
	if (ret) {
		fprintf(stderr, "torch_ref: register: %s\n",
			vaccel_strerror(ret));
		goto release_res;
	}
	return 0;

release_res:
	vaccel_resource_release(model);
release_sess:
	vaccel_session_release(sess);
	return ret;
}

static int run(const char *model_path, const char *in_path,
	       const char *dims_str, const char *out_path)
{
	struct vaccel_session sess;
	struct vaccel_resource model;
	struct vaccel_torch_tensor *in = NULL, *out = NULL;
	int64_t dims[MAX_DIMS], nr_dims;
	size_t len = 0;
	char *data;
	FILE *f;
	int ret;

	if (parse_dims(dims_str, dims, &nr_dims)) {
		fprintf(stderr, "torch_ref: bad dims '%s'\n", dims_str);
		return 1;
	}
	data = read_file(in_path, &len);
	if (!data)
		return 1;
	ret = open_model(&sess, &model, model_path);
	if (ret)
		goto free_data;
	ret = vaccel_torch_tensor_new(&in, nr_dims, dims, VACCEL_TORCH_FLOAT);
	if (!ret)
		ret = vaccel_torch_tensor_set_data(in, data, len);
	if (!ret)
		ret = vaccel_torch_model_run(&sess, &model, NULL, &in, 1, &out,
					     1);
	if (ret) {
		fprintf(stderr, "torch_ref: run: %s\n", vaccel_strerror(ret));
		goto close;
	}
	f = fopen(out_path, "wb");
	if (!f || fwrite(out->data, 1, out->size, f) != out->size) {
		fprintf(stderr, "torch_ref: cannot write %s\n", out_path);
		ret = 1;
	}
	if (f && fclose(f))
		ret = 1;
	for (int64_t i = 0; i < out->nr_dims; i++)
		printf("%s%lld", i ? "," : "", (long long)out->dims[i]);
	printf("\n");
	vaccel_torch_tensor_delete(out);
close:
	vaccel_torch_tensor_delete(in);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
free_data:
	free(data);
	return ret ? 1 : 0;
}

static int classify(const char *model_path, const char *image_path)
{
	struct vaccel_session sess;
	struct vaccel_resource model;
	unsigned char text[512], name[512];
	size_t len = 0;
	char *img;
	int ret;

	img = read_file(image_path, &len);
	if (!img)
		return 1;
	ret = open_model(&sess, &model, model_path);
	if (ret)
		goto free_img;
	ret = vaccel_image_classification(&sess, img, text, name, len,
					  sizeof(text), sizeof(name));
	if (ret)
		fprintf(stderr, "torch_ref: classify: %s\n",
			vaccel_strerror(ret));
	else
		printf("%s\n", text);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
free_img:
	free(img);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "run") == 0)
		return run(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[1], "classify") == 0)
		return classify(argv[2], argv[3]);
	fprintf(stderr,
		"usage: torch_ref run <model> <input.bin> <dims> <out.bin>\n"
		"       torch_ref classify <model> <image>\n");
	return 2;
}
