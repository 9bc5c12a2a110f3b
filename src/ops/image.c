// SPDX-License-Identifier: Apache-2.0
/* Image ops (classify, detect, segment, pose, depth) and their genop form. */
#include "ops.h"

/* Checks the input image and one output buffer; `what` names the output. */
static int check_image(const void *img, size_t len_img,
		       const unsigned char *out, size_t len_out,
		       const char *what, const char *func)
{
	if (!img || len_img == 0) {
		vaccel_error("%s: no input image (buffer %p, %zu bytes)", func,
			     img, len_img);
		return VACCEL_EINVAL;
	}
	if (!out || len_out == 0) {
		vaccel_error("%s: no %s buffer (buffer %p, %zu bytes)", func,
			     what, (const void *)out, len_out);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel_image_classification(struct vaccel_session *sess, const void *img,
				unsigned char *out_text,
				unsigned char *out_imgname, size_t len_img,
				size_t len_out_text, size_t len_out_imgname)
{
	int ret;

	ret = vaccel__session_check(sess, __func__);
	if (ret)
		return ret;
	ret = check_image(img, len_img, out_text, len_out_text, "out_text",
			  __func__);
	if (ret)
		return ret;
	ret = check_image(img, len_img, out_imgname, len_out_imgname,
			  "out_imgname", __func__);
	if (ret)
		return ret;

	VACCEL__OP_DISPATCH(ret, sess, VACCEL_OP_IMAGE_CLASSIFY,
			    image_classification, sess, img, out_text,
			    out_imgname, len_img, len_out_text,
			    len_out_imgname);
	return ret;
}

/* The four single-output image ops differ only in op type and member. */
#define IMAGE_OP(fname, type, member)                                          \
	int fname(struct vaccel_session *sess, const void *img,                \
		  unsigned char *out_imgname, size_t len_img,                  \
		  size_t len_out_imgname)                                      \
	{                                                                      \
		int ret;                                                       \
                                                                               \
		ret = vaccel__session_check(sess, __func__);                   \
		if (ret)                                                       \
			return ret;                                            \
		ret = check_image(img, len_img, out_imgname, len_out_imgname,  \
				  "out_imgname", __func__);                    \
		if (ret)                                                       \
			return ret;                                            \
		VACCEL__OP_DISPATCH(ret, sess, type, member, sess, img,        \
				    out_imgname, len_img, len_out_imgname);    \
		return ret;                                                    \
	}

IMAGE_OP(vaccel_image_detection, VACCEL_OP_IMAGE_DETECT, image_detection)
IMAGE_OP(vaccel_image_segmentation, VACCEL_OP_IMAGE_SEGMENT,
	 image_segmentation)
IMAGE_OP(vaccel_image_pose, VACCEL_OP_IMAGE_POSE, image_pose)
IMAGE_OP(vaccel_image_depth, VACCEL_OP_IMAGE_DEPTH, image_depth)

int vaccel__image_unpack(struct vaccel_session *sess, vaccel_op_type_t op,
			 struct vaccel_arg *read, int nr_read,
			 struct vaccel_arg *write, int nr_write)
{
	void *img, *text = NULL, *name;
	size_t len_img, len_text = 0, len_name;
	int idx = 0;

	if (vaccel__genop_check_count(nr_read, 1, "read", op) ||
	    vaccel__genop_get_array(read, nr_read, 0, "image",
				    VACCEL_ARG_BUFFER, 1, &img, &len_img))
		return VACCEL_EINVAL;

	if (op == VACCEL_OP_IMAGE_CLASSIFY) {
		if (vaccel__genop_check_count(nr_write, 2, "write", op) ||
		    vaccel__genop_get_array(write, nr_write, idx++, "out_text",
					    VACCEL_ARG_UCHAR_ARRAY, 1, &text,
					    &len_text))
			return VACCEL_EINVAL;
	} else if (vaccel__genop_check_count(nr_write, 1, "write", op)) {
		return VACCEL_EINVAL;
	}
	if (vaccel__genop_get_array(write, nr_write, idx, "out_imgname",
				    VACCEL_ARG_UCHAR_ARRAY, 1, &name,
				    &len_name))
		return VACCEL_EINVAL;

	switch (op) {
	case VACCEL_OP_IMAGE_CLASSIFY:
		return vaccel_image_classification(sess, img, text, name,
						   len_img, len_text, len_name);
	case VACCEL_OP_IMAGE_DETECT:
		return vaccel_image_detection(sess, img, name, len_img,
					      len_name);
	case VACCEL_OP_IMAGE_SEGMENT:
		return vaccel_image_segmentation(sess, img, name, len_img,
						 len_name);
	case VACCEL_OP_IMAGE_POSE:
		return vaccel_image_pose(sess, img, name, len_img, len_name);
	case VACCEL_OP_IMAGE_DEPTH:
		return vaccel_image_depth(sess, img, name, len_img, len_name);
	default:
		vaccel_error("genop: %s is not an image op",
			     vaccel_op_type_to_str(op));
		return VACCEL_EINVAL;
	}
}
