// SPDX-License-Identifier: Apache-2.0
/*
 * image <image_file> <model_file>: runs every image op (classification,
 * detection, segmentation, pose, depth), each through its typed function
 * and through genop, first with no model registered and then with
 * <model_file> registered as the session's MODEL resource, and prints what
 * each op wrote into the program's buffers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"
#include <vaccel.h>

static const struct {
	const char *name;
	vaccel_op_type_t op;
	int (*fn)(struct vaccel_session *, const void *, unsigned char *,
		  size_t, size_t);
} one_output[] = {
	{ "detection", VACCEL_OP_IMAGE_DETECT, vaccel_image_detection },
	{ "segmentation", VACCEL_OP_IMAGE_SEGMENT, vaccel_image_segmentation },
	{ "pose", VACCEL_OP_IMAGE_POSE, vaccel_image_pose },
	{ "depth", VACCEL_OP_IMAGE_DEPTH, vaccel_image_depth },
};

static void show(const char *what, int ret, const unsigned char *text)
{
	if (ret)
		printf("%s: error %d\n", what, ret);
	else
		printf("%s: \"%s\"\n", what, (const char *)text);
}

static void run_all(struct vaccel_session *sess, unsigned char *img,
		    size_t len, const char *when)
{
	unsigned char text[256], name[256];
	char what[128];
	int ret;

	memset(text, 0, sizeof(text));
	memset(name, 0, sizeof(name));
	ret = vaccel_image_classification(sess, img, text, name, len,
					  sizeof(text), sizeof(name));
	snprintf(what, sizeof(what), "%s classification tag", when);
	show(what, ret, text);
	snprintf(what, sizeof(what), "%s classification imgname", when);
	show(what, ret, name);

	/* genop: read = [op, BUFFER image], write = [text, imgname]. */
	{
		uint8_t op = VACCEL_OP_IMAGE_CLASSIFY;
		struct vaccel_arg_array r, w;

		memset(text, 0, sizeof(text));
		memset(name, 0, sizeof(name));
		vaccel_arg_array_init(&r, 2);
		vaccel_arg_array_init(&w, 2);
		vaccel_arg_array_add_uint8(&r, &op);
		vaccel_arg_array_add_buffer(&r, img, len);
		vaccel_arg_array_add_uchar_array(&w, text, sizeof(text));
		vaccel_arg_array_add_uchar_array(&w, name, sizeof(name));
		ret = vaccel_genop(sess, r.args, (int)r.count, w.args,
				   (int)w.count);
		snprintf(what, sizeof(what), "%s genop classification tag",
			 when);
		show(what, ret, text);
		snprintf(what, sizeof(what), "%s genop classification imgname",
			 when);
		show(what, ret, name);
		vaccel_arg_array_release(&r);
		vaccel_arg_array_release(&w);
	}

	for (size_t i = 0; i < sizeof(one_output) / sizeof(one_output[0]);
	     i++) {
		uint8_t op = (uint8_t)one_output[i].op;
		struct vaccel_arg_array r, w;

		memset(name, 0, sizeof(name));
		ret = one_output[i].fn(sess, img, name, len, sizeof(name));
		snprintf(what, sizeof(what), "%s %s imgname", when,
			 one_output[i].name);
		show(what, ret, name);

		memset(name, 0, sizeof(name));
		vaccel_arg_array_init(&r, 2);
		vaccel_arg_array_init(&w, 1);
		vaccel_arg_array_add_uint8(&r, &op);
		vaccel_arg_array_add_buffer(&r, img, len);
		vaccel_arg_array_add_uchar_array(&w, name, sizeof(name));
		ret = vaccel_genop(sess, r.args, (int)r.count, w.args,
				   (int)w.count);
		snprintf(what, sizeof(what), "%s genop %s imgname", when,
			 one_output[i].name);
		show(what, ret, name);
		vaccel_arg_array_release(&r);
		vaccel_arg_array_release(&w);
	}
}

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_resource model;
	unsigned char *img;
	size_t len = 0;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "Usage: %s <image_file> <model_file>\n",
			argv[0]);
		return 1;
	}
	img = util_read_file(argv[1], &len);
	if (!img) {
		fprintf(stderr, "Could not read %s\n", argv[1]);
		return 1;
	}
	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %d\n", ret);
		return 1;
	}
	run_all(&sess, img, len, "no model:");

	ret = vaccel_resource_init(&model, argv[2], VACCEL_RESOURCE_MODEL);
	if (!ret)
		ret = vaccel_resource_register(&model, &sess);
	if (ret) {
		fprintf(stderr, "Could not register the model: %d\n", ret);
		return 1;
	}
	run_all(&sess, img, len, "model:");
	vaccel_resource_unregister(&model, &sess);
	vaccel_resource_release(&model);
	vaccel_session_release(&sess);
	free(img);
	return 0;
}
