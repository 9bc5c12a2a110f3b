// SPDX-License-Identifier: Apache-2.0
/*
 * classify, detect, segment, pose, depth (and their *_generic twins):
 *   <name> <image_file> [iterations] [model_path]
 * One source built once per image op: EXAMPLE_OP selects the op and
 * EXAMPLE_GENERIC whether it goes through the typed call or vaccel_genop.
 * With model_path, the model is registered as the session's MODEL resource,
 * which the plugin uses.
 */
#include "example_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <vaccel.h>

#ifndef EXAMPLE_OP
#error "EXAMPLE_OP must name a VACCEL_OP_IMAGE_* op"
#endif
#ifndef EXAMPLE_GENERIC
#define EXAMPLE_GENERIC 0
#endif

#define OUT_LEN 512

static int run_typed(struct vaccel_session *sess, unsigned char *img,
		     size_t len, unsigned char *text, unsigned char *name)
{
	switch (EXAMPLE_OP) {
	case VACCEL_OP_IMAGE_CLASSIFY:
		return vaccel_image_classification(sess, img, text, name, len,
						   OUT_LEN, OUT_LEN);
	case VACCEL_OP_IMAGE_DETECT:
		return vaccel_image_detection(sess, img, name, len, OUT_LEN);
	case VACCEL_OP_IMAGE_SEGMENT:
		return vaccel_image_segmentation(sess, img, name, len,
						 OUT_LEN);
	case VACCEL_OP_IMAGE_POSE:
		return vaccel_image_pose(sess, img, name, len, OUT_LEN);
	default:
		return vaccel_image_depth(sess, img, name, len, OUT_LEN);
	}
}

/* read = [UINT8 op, BUFFER image]; write = [UCHAR_ARRAY text (classify
 * only), UCHAR_ARRAY imgname]. */
static int run_generic(struct vaccel_session *sess, unsigned char *img,
		       size_t len, unsigned char *text, unsigned char *name)
{
	uint8_t op = EXAMPLE_OP;
	struct vaccel_arg read[2] = {
		{ .buf = &op, .size = sizeof(op), .type = VACCEL_ARG_UINT8 },
		{ .buf = img, .size = len, .type = VACCEL_ARG_BUFFER },
	};
	struct vaccel_arg write[2] = {
		{ .buf = text, .size = OUT_LEN,
		  .type = VACCEL_ARG_UCHAR_ARRAY },
		{ .buf = name, .size = OUT_LEN,
		  .type = VACCEL_ARG_UCHAR_ARRAY },
	};

	if (EXAMPLE_OP == VACCEL_OP_IMAGE_CLASSIFY)
		return vaccel_genop(sess, read, 2, write, 2);
	return vaccel_genop(sess, read, 2, &write[1], 1);
}

int main(int argc, char **argv)
{
	struct vaccel_session sess = { 0 };
	struct vaccel_resource model = { 0 };
	unsigned char text[OUT_LEN] = { 0 }, name[OUT_LEN] = { 0 };
	unsigned char *img = NULL;
	char opname[VACCEL_ENUM_STR_MAX];
	size_t len = 0;
	long iterations = 1;
	bool have_model = false;
	int ret;

	vaccel_op_type_name(EXAMPLE_OP, opname, sizeof(opname));
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "Usage: %s <image_file> [iterations] [model_path]\n",
			argv[0]);
		return 1;
	}
	if (argc >= 3 && (iterations = example_parse_count(argv[2],
							   "iterations")) < 0)
		return 1;
	if (example_read_file(argv[1], &img, &len))
		return 1;

	ret = vaccel_session_init(&sess, 0);
	if (ret) {
		fprintf(stderr, "Could not initialize session: %s\n",
			vaccel_strerror(ret));
		goto free_img;
	}
	printf("Initialized session with id: %lld\n", (long long)sess.id);

	if (argc == 4) {
		ret = vaccel_resource_init(&model, argv[3],
					   VACCEL_RESOURCE_MODEL);
		if (ret) {
			fprintf(stderr, "Could not create model resource from %s: %s\n",
				argv[3], vaccel_strerror(ret));
			goto release_sess;
		}
		have_model = true;
		ret = vaccel_resource_register(&model, &sess);
		if (ret) {
			fprintf(stderr, "Could not register model: %s\n",
				vaccel_strerror(ret));
			goto release_model;
		}
	}

	for (long i = 0; i < iterations; i++) {
		uint64_t t0 = example_now_ns();

		ret = EXAMPLE_GENERIC ? run_generic(&sess, img, len, text, name) :
					run_typed(&sess, img, len, text, name);
		if (ret) {
			fprintf(stderr, "%s failed: %s\n", opname,
				vaccel_strerror(ret));
			goto release_model;
		}
		example_print_iteration(i, iterations, example_now_ns() - t0);
	}
	if (EXAMPLE_OP == VACCEL_OP_IMAGE_CLASSIFY)
		printf("classification tags: %s\n", (char *)text);
	printf("%s imgname: %s\n", opname, (char *)name);

release_model:
	if (have_model)
		vaccel_resource_release(&model);
release_sess:
	vaccel_session_release(&sess);
free_img:
	free(img);
	return ret ? 1 : 0;
}
