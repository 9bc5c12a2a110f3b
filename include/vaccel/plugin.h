/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plugin ABI.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `vaccel_plugin_descriptor`, of type `const struct vaccel_plugin_desc`.
 * Define it with VACCEL_PLUGIN_DESCRIPTOR(...), which fills in the ABI
 * version, the descriptor size and the core version the plugin was built
 * against.
 *
 * Loading (vaccel_plugin_load) checks, in order:
 *   - the descriptor symbol exists                      (else VACCEL_ELIBBAD)
 *   - abi_major equals VACCEL_PLUGIN_ABI_MAJOR          (else VACCEL_ELIBBAD)
 *     (a newer abi_minor is accepted; fields the core does not know about
 *     are ignored, fields the plugin's smaller descriptor lacks read as NULL)
 *   - name, version and vaccel_version are set           (else VACCEL_EINVAL)
 *   - vaccel_version has the core's major version        (else VACCEL_ELIBBAD
 *     unless VACCEL_VERSION_IGNORE); a minor mismatch only warns
 *   - init() returns VACCEL_OK                           (else its error)
 *
 * Operations are typed function pointers in `ops`; NULL means "not
 * implemented" and lets another plugin serve the op (see session.h). Each
 * op function receives exactly the arguments the public entry point got,
 * after the core has validated them.
 *
 * Transport plugins (type has VACCEL_PLUGIN_REMOTE) forward work elsewhere:
 * they implement the session and resource hooks and may implement `genop`
 * to forward generic ops without the core unpacking them.
 */
#ifndef VACCEL_PLUGIN_H
#define VACCEL_PLUGIN_H

#include "arg.h"
#include "utils/enum.h"
#include "vaccel/version.h"
#include "resource.h"
#include "session.h"
#include "ops/tf.h"
#include "ops/tflite.h"
#include "ops/torch.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Plugin type bits; also the session hint bits. NONE is this project's
 * name for "no hint"; the others are upstream's. The _to_str helpers name
 * single bits (and NONE, ALL), not combinations. */
#define VACCEL_PLUGIN_TYPE_LIST(X)           \
	X(VACCEL_PLUGIN_NONE, 0)             \
	X(VACCEL_PLUGIN_CPU, 0x1)            \
	X(VACCEL_PLUGIN_GPU, 0x2)            \
	X(VACCEL_PLUGIN_FPGA, 0x4)           \
	X(VACCEL_PLUGIN_SOFTWARE, 0x8)       \
	X(VACCEL_PLUGIN_TENSORFLOW, 0x10)    \
	X(VACCEL_PLUGIN_TORCH, 0x20)         \
	X(VACCEL_PLUGIN_JETSON, 0x40)        \
	X(VACCEL_PLUGIN_GENERIC, 0x80)       \
	X(VACCEL_PLUGIN_DEBUG, 0x100)        \
	X(VACCEL_PLUGIN_REMOTE, 0x4000)      \
	X(VACCEL_PLUGIN_ALL, 0xffff)

VACCEL_ENUM_DEFINE(vaccel_plugin_type, VACCEL_PLUGIN_TYPE_LIST,
		   VACCEL_PLUGIN_MAX, 14)

#define VACCEL_PLUGIN_ABI_MAJOR 1
#define VACCEL_PLUGIN_ABI_MINOR 0

/*
 * Typed op table. One member per VACCEL_OP_* type, in op-type order; new
 * ops are only ever appended.
 */
struct vaccel_plugin_ops {
	int (*noop)(struct vaccel_session *sess);
	int (*exec)(struct vaccel_session *sess, const char *library,
		    const char *fn_symbol, struct vaccel_arg *read,
		    size_t nr_read, struct vaccel_arg *write, size_t nr_write);
	int (*exec_with_resource)(struct vaccel_session *sess,
				  struct vaccel_resource *resource,
				  const char *fn_symbol, struct vaccel_arg *read,
				  size_t nr_read, struct vaccel_arg *write,
				  size_t nr_write);
	int (*image_classification)(struct vaccel_session *sess,
				    const void *img, unsigned char *out_text,
				    unsigned char *out_imgname, size_t len_img,
				    size_t len_out_text,
				    size_t len_out_imgname);
	int (*image_detection)(struct vaccel_session *sess, const void *img,
			       unsigned char *out_imgname, size_t len_img,
			       size_t len_out_imgname);
	int (*image_segmentation)(struct vaccel_session *sess, const void *img,
				  unsigned char *out_imgname, size_t len_img,
				  size_t len_out_imgname);
	int (*image_pose)(struct vaccel_session *sess, const void *img,
			  unsigned char *out_imgname, size_t len_img,
			  size_t len_out_imgname);
	int (*image_depth)(struct vaccel_session *sess, const void *img,
			   unsigned char *out_imgname, size_t len_img,
			   size_t len_out_imgname);
	int (*tf_model_load)(struct vaccel_session *sess,
			     struct vaccel_resource *model,
			     struct vaccel_tf_status *status);
	int (*tf_model_unload)(struct vaccel_session *sess,
			       struct vaccel_resource *model,
			       struct vaccel_tf_status *status);
	int (*tf_model_run)(struct vaccel_session *sess,
			    struct vaccel_resource *model,
			    const struct vaccel_tf_buffer *run_options,
			    const struct vaccel_tf_node *in_nodes,
			    struct vaccel_tf_tensor *const *in_tensors,
			    int nr_inputs,
			    const struct vaccel_tf_node *out_nodes,
			    struct vaccel_tf_tensor **out_tensors,
			    int nr_outputs, struct vaccel_tf_status *status);
	int (*tflite_model_load)(struct vaccel_session *sess,
				 struct vaccel_resource *model);
	int (*tflite_model_unload)(struct vaccel_session *sess,
				   struct vaccel_resource *model);
	int (*tflite_model_run)(struct vaccel_session *sess,
				struct vaccel_resource *model,
				struct vaccel_tflite_tensor *const *inputs,
				int nr_inputs,
				struct vaccel_tflite_tensor **outputs,
				int nr_outputs, uint8_t *status);
	int (*torch_model_load)(struct vaccel_session *sess,
				struct vaccel_resource *model);
	int (*torch_model_run)(struct vaccel_session *sess,
			       struct vaccel_resource *model,
			       const struct vaccel_torch_buffer *run_options,
			       struct vaccel_torch_tensor *const *inputs,
			       int nr_inputs,
			       struct vaccel_torch_tensor **outputs,
			       int nr_outputs);
	int (*torch_sgemm)(struct vaccel_session *sess,
			   struct vaccel_torch_tensor **a,
			   struct vaccel_torch_tensor **b,
			   struct vaccel_torch_tensor **c, int m, int n, int k,
			   struct vaccel_torch_tensor **out);
	int (*blas_sgemm)(struct vaccel_session *sess, int64_t m, int64_t n,
			  int64_t k, float alpha, float *a, int64_t lda,
			  float *b, int64_t ldb, float beta, float *c,
			  int64_t ldc);
	int (*fpga_arraycopy)(struct vaccel_session *sess, int array[],
			      int out_array[], size_t len_array);
	int (*fpga_mmult)(struct vaccel_session *sess, float a_array[],
			  float b_array[], float c_array[], size_t len_a);
	int (*fpga_parallel)(struct vaccel_session *sess, float a_array[],
			     float b_array[], float add_output[],
			     float mult_output[], size_t len_a);
	int (*fpga_vadd)(struct vaccel_session *sess, float a[], float b[],
			 float c[], size_t len_a, size_t len_b);
	int (*minmax)(struct vaccel_session *sess, const double *indata,
		      int ndata, int low_threshold, int high_threshold,
		      double *outdata, double *min, double *max);
	int (*opencv)(struct vaccel_session *sess, struct vaccel_arg *read,
		      int nr_read, struct vaccel_arg *write, int nr_write);
};

struct vaccel_plugin_desc {
	/* Filled by VACCEL_PLUGIN_DESCRIPTOR. */
	uint16_t abi_major;
	uint16_t abi_minor;
	/* sizeof(struct vaccel_plugin_desc) the plugin was built with. */
	uint32_t size;
	/* Core version the plugin was built against (VACCEL_VERSION). */
	const char *vaccel_version;

	/* Short unique name ("noop", "torch", "rpc") and plugin version. */
	const char *name;
	const char *version;
	/* vaccel_plugin_type_t bits. */
	uint32_t type;

	/* Called once at load / unload. init may fail (returns non-zero). */
	int (*init)(void);
	int (*fini)(void);

	/* Session hooks: called on the plugin the session picked. */
	int (*session_init)(struct vaccel_session *sess, uint32_t flags);
	int (*session_update)(struct vaccel_session *sess, uint32_t flags);
	int (*session_release)(struct vaccel_session *sess);

	/*
	 * Resource hooks. resource_register runs on the session's plugin when
	 * a resource is registered with the session (transports upload it).
	 * resource_unregister runs on every loaded plugin that defines it,
	 * after the resource was detached from the session, so that any plugin
	 * that cached state for it (a loaded model, an opened library) can drop
	 * it; vaccel_resource_refcount() then tells how many sessions still
	 * hold the resource. resource_sync pulls BUFFER contents back.
	 */
	int (*resource_register)(struct vaccel_resource *res,
				 struct vaccel_session *sess);
	int (*resource_unregister)(struct vaccel_resource *res,
				   struct vaccel_session *sess);
	int (*resource_sync)(struct vaccel_resource *res,
			     struct vaccel_session *sess);

	/* Optional raw generic op (transports forward it unparsed). When NULL
	 * the core unpacks genop into the typed op. */
	int (*genop)(struct vaccel_session *sess, struct vaccel_arg *read,
		     int nr_read, struct vaccel_arg *write, int nr_write);

	/* The ops this plugin implements. */
	struct vaccel_plugin_ops ops;
};

#if defined(__GNUC__)
#define VACCEL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define VACCEL_PLUGIN_EXPORT
#endif

/* Defines the exported descriptor. Usage:
 *   VACCEL_PLUGIN_DESCRIPTOR(.name = "noop", .version = "1.0",
 *                            .type = VACCEL_PLUGIN_DEBUG,
 *                            .init = my_init, .fini = my_fini,
 *                            .ops = { .noop = my_noop })
 */
#define VACCEL_PLUGIN_DESCRIPTOR(...)                                         \
	VACCEL_PLUGIN_EXPORT extern const struct vaccel_plugin_desc           \
		vaccel_plugin_descriptor;                                     \
	VACCEL_PLUGIN_EXPORT const struct vaccel_plugin_desc                  \
		vaccel_plugin_descriptor = {                                  \
			.abi_major = VACCEL_PLUGIN_ABI_MAJOR,                 \
			.abi_minor = VACCEL_PLUGIN_ABI_MINOR,                 \
			.size = sizeof(struct vaccel_plugin_desc),            \
			.vaccel_version = VACCEL_VERSION,                     \
			__VA_ARGS__ }

#define VACCEL_PLUGIN_DESCRIPTOR_SYMBOL "vaccel_plugin_descriptor"

/* Loads one plugin by path or soname. See the checks above. Plugins load
 * in call order; that order is the fallback priority. */
int vaccel_plugin_load(const char *lib);
/* Loads every entry of a ':'-separated list, stopping at the first error. */
int vaccel_plugin_parse_and_load(const char *lib_str);

/* Information about loaded plugins. */
size_t vaccel_plugin_count(void);
/* The name of a loaded plugin (e.g. sess->plugin), or NULL. */
const char *vaccel_plugin_name(const struct vaccel_plugin *plugin);
/* The descriptor of a loaded plugin, or NULL. */
const struct vaccel_plugin_desc *
vaccel_plugin_descriptor_of(const struct vaccel_plugin *plugin);

#ifdef __cplusplus
}
#endif

#endif /* VACCEL_PLUGIN_H */
