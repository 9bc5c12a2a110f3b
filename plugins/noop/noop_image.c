// SPDX-License-Identifier: Apache-2.0
/*
 * Image ops of the noop plugin: upstream's fixed strings, truncated to the
 * buffers. Like upstream's, they run with or without a MODEL resource and
 * only log the model they would have used.
 */
#include "noop_plugin.h"
#include <stdio.h>

#define NOOP_TAG "This is a dummy classification tag!"
#define NOOP_IMGNAME "This is a dummy imgname!"

static void put_str(unsigned char *out, size_t len, const char *s)
{
	snprintf((char *)out, len, "%s", s);
}

/* Logs the session's first MODEL resource, if it has one. */
static void log_model(struct vaccel_session *sess, const char *op)
{
	struct vaccel_resource *model = NULL;

	if (vaccel_session_resource_by_type(sess, &model,
					    VACCEL_RESOURCE_MODEL) ||
	    !model) {
		vaccel_debug("[noop] %s: session %lld has no model", op,
			     (long long)sess->id);
		return;
	}
	vaccel_debug("[noop] %s: session %lld model %lld (%s)", op,
		     (long long)sess->id, (long long)model->id,
		     model->nr_blobs && model->blobs[0]->path ?
			     model->blobs[0]->path :
			     "in memory");
}

int noop_image_classification(struct vaccel_session *sess, const void *img,
			      unsigned char *out_text,
			      unsigned char *out_imgname, size_t len_img,
			      size_t len_out_text, size_t len_out_imgname)
{
	(void)img;
	vaccel_info("[noop] image_classification: session %lld, %zu-byte image",
		    (long long)sess->id, len_img);
	log_model(sess, "image_classification");
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
		log_model(sess, label);                                       \
		put_str(out_imgname, len_out_imgname, NOOP_IMGNAME);          \
		return VACCEL_OK;                                             \
	}

NOOP_IMAGE_OP(noop_image_detection, "image_detection")
NOOP_IMAGE_OP(noop_image_segmentation, "image_segmentation")
NOOP_IMAGE_OP(noop_image_pose, "image_pose")
NOOP_IMAGE_OP(noop_image_depth, "image_depth")
