// SPDX-License-Identifier: Apache-2.0
/* Image ops of the noop plugin: fixed strings, truncated to the buffers. */
#include "noop_plugin.h"
#include <stdio.h>

#define NOOP_TAG "This is a dummy classification tag!"
#define NOOP_IMGNAME "PLACEHOLDER"

static void put_str(unsigned char *out, size_t len, const char *s)
{
	snprintf((char *)out, len, "%s", s);
}

int noop_image_classification(struct vaccel_session *sess, const void *img,
			      unsigned char *out_text,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_text, size_t len_out_imgname)
{
	(void)img;
	vaccel_info("[noop] image_classification: session %lld, %zu-byte image",
		    (long long)sess->id, len_img);
	put_str(out_text, len_out_text, NOOP_TAG);
	put_str(out_imgname, len_out_imgname, NOOP_IMGNAME);
	return VACCEL_OK;
}

/* The single-output image ops only name their (non-existent) result. */
#define NOOP_IMAGE_OP(fname, label)                                           \
	int fname(struct vaccel_session *sess, const void *img,               \
		  unsigned char *out_imgname, size_t len_img,                 \
		  size_t len_out_imgname)                                     \
	{                                                                     \
		(void)img;                                                    \
		vaccel_info("[noop] " label ": session %lld, %zu-byte image", \
			    (long long)sess->id, len_img);                    \
		put_str(out_imgname, len_out_imgname, NOOP_IMGNAME);          \
		return VACCEL_OK;                                             \
	}

NOOP_IMAGE_OP(noop_image_detection, "image_detection")
NOOP_IMAGE_OP(noop_image_segmentation, "image_segmentation")
NOOP_IMAGE_OP(noop_image_pose, "image_pose")
NOOP_IMAGE_OP(noop_image_depth, "image_depth")
