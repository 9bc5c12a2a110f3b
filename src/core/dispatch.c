// SPDX-License-Identifier: Apache-2.0

#include "core_priv.h"
#include "vaccel/error.h"
#include "vaccel/log.h"
#include "vaccel/plugin.h"
#include "vaccel/session.h"
#include <stddef.h>

/* The table below must list every member of struct vaccel_plugin_ops;
 * each member is one function pointer, so the sizes must agree. */
_Static_assert(sizeof(struct vaccel_plugin_ops) ==
		       VACCEL_OP_MAX * sizeof(int (*)(void)),
	       "struct vaccel_plugin_ops must have one member per op type");

#define OP_OFFSET(type, member) \
	[type] = offsetof(struct vaccel_plugin_ops, member)

const size_t vaccel__op_offsets[VACCEL_OP_MAX] = {
	OP_OFFSET(VACCEL_OP_NOOP, noop),
	OP_OFFSET(VACCEL_OP_EXEC, exec),
	OP_OFFSET(VACCEL_OP_EXEC_WITH_RESOURCE, exec_with_resource),
	OP_OFFSET(VACCEL_OP_IMAGE_CLASSIFY, image_classification),
	OP_OFFSET(VACCEL_OP_IMAGE_DETECT, image_detection),
	OP_OFFSET(VACCEL_OP_IMAGE_SEGMENT, image_segmentation),
	OP_OFFSET(VACCEL_OP_IMAGE_POSE, image_pose),
	OP_OFFSET(VACCEL_OP_IMAGE_DEPTH, image_depth),
	OP_OFFSET(VACCEL_OP_TF_MODEL_LOAD, tf_model_load),
	OP_OFFSET(VACCEL_OP_TF_MODEL_UNLOAD, tf_model_unload),
	OP_OFFSET(VACCEL_OP_TF_MODEL_RUN, tf_model_run),
	OP_OFFSET(VACCEL_OP_TFLITE_MODEL_LOAD, tflite_model_load),
	OP_OFFSET(VACCEL_OP_TFLITE_MODEL_UNLOAD, tflite_model_unload),
	OP_OFFSET(VACCEL_OP_TFLITE_MODEL_RUN, tflite_model_run),
	OP_OFFSET(VACCEL_OP_TORCH_MODEL_LOAD, torch_model_load),
	OP_OFFSET(VACCEL_OP_TORCH_MODEL_RUN, torch_model_run),
	OP_OFFSET(VACCEL_OP_TORCH_SGEMM, torch_sgemm),
	OP_OFFSET(VACCEL_OP_BLAS_SGEMM, blas_sgemm),
	OP_OFFSET(VACCEL_OP_FPGA_ARRAYCOPY, fpga_arraycopy),
	OP_OFFSET(VACCEL_OP_FPGA_MMULT, fpga_mmult),
	OP_OFFSET(VACCEL_OP_FPGA_PARALLEL, fpga_parallel),
	OP_OFFSET(VACCEL_OP_FPGA_VECTORADD, fpga_vadd),
	OP_OFFSET(VACCEL_OP_MINMAX, minmax),
	OP_OFFSET(VACCEL_OP_OPENCV, opencv),
};

static bool is_transport(const struct vaccel_plugin *p)
{
	return p->d.type & VACCEL_PLUGIN_REMOTE;
}

/* The first plugin in load order for which `pick` is true, or NULL. */
static struct vaccel_plugin *first_where(bool (*pick)(const struct vaccel_plugin *,
						      uint32_t),
					 uint32_t arg)
{
	for (struct vaccel_plugin *p = vaccel__plugins_first_locked(); p;
	     p = p->next)
		if (pick(p, arg))
			return p;
	return NULL;
}

static bool pick_transport(const struct vaccel_plugin *p, uint32_t unused)
{
	(void)unused;
	return is_transport(p);
}

static bool pick_local(const struct vaccel_plugin *p, uint32_t unused)
{
	(void)unused;
	return !is_transport(p);
}

static bool pick_hinted(const struct vaccel_plugin *p, uint32_t hint)
{
	return p->d.type & hint;
}

/*
 * Upstream's rules, in order: REMOTE takes the first transport plugin; a
 * hint takes the first plugin whose type shares a bit with it; otherwise
 * (no hint, or a hint nothing matches: a hint is a preference) the first
 * local plugin, or the only plugin when exactly one is loaded.
 */
struct vaccel_plugin *vaccel__plugin_select(uint32_t flags)
{
	uint32_t hint = flags & ~(uint32_t)VACCEL_PLUGIN_REMOTE;
	struct vaccel_plugin *found = NULL, *first;
	const char *rule = NULL;
	size_t count = 0;

	vaccel__plugins_rdlock();
	first = vaccel__plugins_first_locked();
	for (struct vaccel_plugin *p = first; p; p = p->next)
		count++;
	if (flags & VACCEL_PLUGIN_REMOTE) {
		found = first_where(pick_transport, 0);
		rule = "the REMOTE flag takes the first transport plugin";
	} else {
		if (hint) {
			found = first_where(pick_hinted, hint);
			rule = "the first plugin whose type matches the hint";
		}
		if (!found) {
			found = first_where(pick_local, 0);
			rule = hint ? "no plugin matches the hint, so the first local plugin" :
				      "no hint: the first local plugin";
		}
		if (!found && count == 1) {
			found = first;
			rule = hint ? "no plugin matches the hint, so the only loaded plugin" :
				      "no hint: the only loaded plugin";
		}
	}
	vaccel__plugins_unlock();

	if (found)
		vaccel_debug("Flags 0x%x select plugin %s: %s", flags,
			     found->d.name, rule);
	else if (count == 0)
		vaccel_error("Cannot create session: no plugins are loaded "
			     "(set VACCEL_PLUGINS)");
	else if (flags & VACCEL_PLUGIN_REMOTE)
		vaccel_error("Cannot create session: flags 0x%x ask for a "
			     "transport plugin (VACCEL_PLUGIN_REMOTE) and none "
			     "is loaded", flags);
	else
		vaccel_error("Cannot create session: no local plugin is loaded "
			     "and %zu transport plugins are; pass "
			     "VACCEL_PLUGIN_REMOTE to take the first", count);
	return found;
}

void *vaccel__op_find_fallback(struct vaccel_session *sess,
			       vaccel_op_type_t type,
			       const struct vaccel_plugin **used)
{
	const char *own;
	void *fn = NULL;

	if (!sess || !sess->plugin || !used || (int)type < 0 ||
	    type >= VACCEL_OP_MAX) {
		vaccel_error("Cannot look up op %s: invalid %s",
			     vaccel_op_type_to_str(type),
			     !sess || !sess->plugin ? "session" :
			     !used		    ? "out pointer" :
						      "op type");
		return NULL;
	}

	own = sess->plugin->d.name;
	fn = vaccel__plugin_op(sess->plugin, type);
	if (fn) {
		*used = sess->plugin;
		return fn;
	}

	/* A transport session lives on its agent, which does its own
	 * fallback; a local plugin cannot run its ops, nor can a transport
	 * run those of a session it has no mirror of. So the fallback stays
	 * among local plugins, whatever the session's hint. */
	if (is_transport(sess->plugin)) {
		vaccel_error("Session %lld: op %s not implemented by transport "
			     "plugin %s", (long long)sess->id,
			     vaccel_op_type_to_str(type), own);
		return NULL;
	}

	vaccel__plugins_rdlock();
	for (struct vaccel_plugin *p = vaccel__plugins_first_locked(); p;
	     p = p->next) {
		if (p == sess->plugin || is_transport(p))
			continue;
		fn = vaccel__plugin_op(p, type);
		if (fn) {
			*used = p;
			vaccel_debug("Session %lld: op %s not implemented by "
				     "plugin %s; falling back to plugin %s",
				     (long long)sess->id,
				     vaccel_op_type_to_str(type), own,
				     p->d.name);
			break;
		}
	}
	vaccel__plugins_unlock();

	if (!fn)
		vaccel_error("Session %lld: op %s not implemented by plugin %s "
			     "nor by any other loaded local plugin",
			     (long long)sess->id, vaccel_op_type_to_str(type),
			     own);
	return fn;
}

int vaccel__session_check(const struct vaccel_session *sess, const char *func)
{
	if (!func)
		func = "vAccel";
	if (!sess) {
		vaccel_error("%s: session is NULL", func);
		return VACCEL_EINVAL;
	}
	if (sess->id <= 0) {
		vaccel_error("%s: session is not initialized", func);
		return VACCEL_EINVAL;
	}
	if (!sess->plugin) {
		vaccel_error("%s: session %lld has no plugin", func,
			     (long long)sess->id);
		return VACCEL_EINVAL;
	}
	return VACCEL_OK;
}

int vaccel__session_check_resource(struct vaccel_session *sess,
				   struct vaccel_resource *res,
				   vaccel_resource_type_t type,
				   const char *func)
{
	int ret;

	if (!func)
		func = "vAccel";
	ret = vaccel__session_check(sess, func);
	if (ret)
		return ret;
	if (!res) {
		vaccel_error("%s: resource is NULL", func);
		return VACCEL_EINVAL;
	}
	if (res->id <= 0) {
		vaccel_error("%s: resource is not initialized", func);
		return VACCEL_EINVAL;
	}
	if (res->type != type) {
		vaccel_error("%s: resource %lld is a %s, expected a %s", func,
			     (long long)res->id,
			     vaccel_resource_type_to_str(res->type),
			     vaccel_resource_type_to_str(type));
		return VACCEL_EINVAL;
	}
	if (!vaccel_session_has_resource(sess, res)) {
		vaccel_error("%s: resource %lld is not registered with "
			     "session %lld", func, (long long)res->id,
			     (long long)sess->id);
		return VACCEL_EPERM;
	}
	return VACCEL_OK;
}
