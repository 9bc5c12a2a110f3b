// SPDX-License-Identifier: Apache-2.0
/* Plugin selection by upstream's rules, op lookup and per-op fallback. */

#include "core_test.h"

typedef int (*minmax_fn)(struct vaccel_session *, const double *, int, int,
			 int, double *, double *, double *);
typedef int (*noop_fn)(struct vaccel_session *);

static char *dir;
static char log_path[4200];

static void setup(void)
{
	char plugins[8192];

	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(log_path, sizeof(log_path), "%s/dispatch.log", dir);
	/* nooponly (SOFTWARE, noop only), good (CPU, noop + minmax), gpu
	 * (noop), remote (a transport typed REMOTE | CPU, noop). */
	snprintf(plugins, sizeof(plugins), "%s:%s",
		 tp_list("NOOPONLY", "GOOD", "GPU"), tp_path("REMOTE"));
	REQUIRE(boot(plugins, VACCEL_LOG_DEBUG, log_path, false, false) == 0);
}

static void test_offsets_table(void)
{
	for (int i = 1; i < VACCEL_OP_MAX; i++)
		CHECK_INT(vaccel__op_offsets[i] - vaccel__op_offsets[i - 1],
			  sizeof(void *));
	CHECK_INT(vaccel__op_offsets[VACCEL_OP_NOOP],
		  offsetof(struct vaccel_plugin_ops, noop));
	CHECK_INT(vaccel__op_offsets[VACCEL_OP_OPENCV],
		  offsetof(struct vaccel_plugin_ops, opencv));
	CHECK_INT(vaccel__op_offsets[VACCEL_OP_BLAS_SGEMM],
		  offsetof(struct vaccel_plugin_ops, blas_sgemm));
}

static void test_own_plugin_first(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;
	struct tp_counters *c = tp_get("NOOPONLY");
	noop_fn fn;

	REQUIRE(c);
	REQUIRE(vaccel_session_init(&s, 0) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "nooponly");
	fn = (noop_fn)vaccel__session_op(&s, VACCEL_OP_NOOP, &used);
	REQUIRE(fn);
	CHECK(used == s.plugin);
	int ops = atomic_load(&c->ops);
	CHECK_INT(fn(&s), VACCEL_OK);
	CHECK_INT(atomic_load(&c->ops), ops + 1);
	vaccel_session_release(&s);
}

static void test_fallback_to_next_plugin(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;
	double min = 0, max = 0;
	minmax_fn fn;
	char *text;

	REQUIRE(vaccel_session_init(&s, 0) == 0);
	fn = (minmax_fn)vaccel__session_op(&s, VACCEL_OP_MINMAX, &used);
	REQUIRE(fn);
	REQUIRE(used);
	CHECK_STR(vaccel_plugin_name(used), "good");
	CHECK_INT(fn(&s, NULL, 0, 0, 0, NULL, &min, &max), VACCEL_OK);
	CHECK(max == 42.0);
	vaccel_session_release(&s);

	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, "<debug> Session ") &&
	      strstr(text, "op VACCEL_OP_MINMAX not implemented by plugin "
			   "nooponly; falling back to plugin good"));
	free(text);
}

/* The log says which rule picked the plugin. */
static bool logged(const char *what)
{
	char *text = slurp(log_path);
	bool found = text && strstr(text, what);

	free(text);
	return found;
}

static void test_fallback_when_hinted(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_SOFTWARE) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "nooponly");
	CHECK(logged("Flags 0x8 select plugin nooponly: the first plugin whose "
		     "type matches the hint"));
	/* The hint chose the plugin; an op it lacks still runs elsewhere. */
	CHECK(vaccel__session_op(&s, VACCEL_OP_MINMAX, &used) != NULL);
	CHECK_STR(vaccel_plugin_name(used), "good");
	CHECK(vaccel__session_op(&s, VACCEL_OP_NOOP, &used) != NULL);
	CHECK_STR(vaccel_plugin_name(used), "nooponly");
	vaccel_session_release(&s);
}

static void test_hint_selects_plugin(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_GPU) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "gpu");
	CHECK(vaccel__session_op(&s, VACCEL_OP_NOOP, &used) != NULL);
	CHECK_STR(vaccel_plugin_name(used), "gpu");
	CHECK(vaccel__session_op(&s, VACCEL_OP_MINMAX, &used) != NULL);
	CHECK_STR(vaccel_plugin_name(used), "good");
	vaccel_session_release(&s);

	/* good is the first plugin with CPU (remote has it too, later). */
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_CPU) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
	vaccel_session_release(&s);
}

static void test_hint_is_a_preference(void)
{
	struct vaccel_session s;

	/* No plugin is DEBUG or TORCH: the first local plugin takes it. */
	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_DEBUG) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "nooponly");
	CHECK_INT(s.hint, VACCEL_PLUGIN_DEBUG);
	CHECK(!s.is_virtio);
	vaccel_session_release(&s);
	CHECK(logged("Flags 0x100 select plugin nooponly: no plugin matches "
		     "the hint, so the first local plugin"));

	REQUIRE(vaccel_session_init(&s, 0) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "nooponly");
	vaccel_session_release(&s);
	CHECK(logged("Flags 0x0 select plugin nooponly: no hint: the first "
		     "local plugin"));
}

static void test_remote_takes_transport(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE |
					    VACCEL_PLUGIN_GPU) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "remote");
	CHECK(s.is_virtio);
	CHECK_INT(s.remote_id, 4242);
	CHECK(logged("select plugin remote: the REMOTE flag takes the first "
		     "transport plugin"));
	CHECK(vaccel__session_op(&s, VACCEL_OP_NOOP, &used) != NULL);
	CHECK_STR(vaccel_plugin_name(used), "remote");
	/* A transport session does not fall back to a local plugin. */
	CHECK(vaccel__session_op(&s, VACCEL_OP_MINMAX, &used) == NULL);
	CHECK(logged("op VACCEL_OP_MINMAX not implemented by transport plugin "
		     "remote"));
	vaccel_session_release(&s);
}

static void test_nobody_implements(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;
	char *text;

	REQUIRE(vaccel_session_init(&s, 0) == 0);
	CHECK(vaccel__session_op(&s, VACCEL_OP_BLAS_SGEMM, &used) == NULL);
	CHECK(vaccel__op_find_fallback(&s, VACCEL_OP_MAX, &used) == NULL);
	CHECK(vaccel__op_find_fallback(NULL, VACCEL_OP_NOOP, &used) == NULL);
	vaccel_session_release(&s);

	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, "op VACCEL_OP_BLAS_SGEMM not implemented by plugin "
			   "nooponly nor by any other loaded local plugin"));
	free(text);
}

/* Which plugin runs minmax for a session on nooponly (which lacks it) when
 * `plugins` are loaded: the max output names it (good 42, mm1 1, mm2 2,
 * mmr 3). */
static double fallback_max(const char *plugins)
{
	struct vaccel_session s;
	double in[2] = { 1, 2 }, out[2], min = -1, max = -1;

	vaccel_cleanup();
	if (boot(plugins, VACCEL_LOG_ERROR, NULL, false, false) ||
	    vaccel_session_init(&s, 0))
		return -1;
	if (vaccel_minmax(&s, in, 2, 0, 10, out, &min, &max))
		max = -1;
	vaccel_session_release(&s);
	return max;
}

/* With two and three candidates the first in load order runs the op,
 * whatever the order of the others. */
static void test_fallback_order(void)
{
	char list[8192];

	snprintf(list, sizeof(list), "%s", tp_list("NOOPONLY", "MM1", "GOOD"));
	CHECK(fallback_max(list) == 1.0);
	snprintf(list, sizeof(list), "%s", tp_list("NOOPONLY", "GOOD", "MM1"));
	CHECK(fallback_max(list) == 42.0);
	snprintf(list, sizeof(list), "%s:%s", tp_list("NOOPONLY", "MM2", "MM1"),
		 tp_path("GOOD"));
	CHECK(fallback_max(list) == 2.0);
	snprintf(list, sizeof(list), "%s:%s", tp_list("NOOPONLY", "MM1", "GOOD"),
		 tp_path("MM2"));
	CHECK(fallback_max(list) == 1.0);
	snprintf(list, sizeof(list), "%s:%s", tp_list("NOOPONLY", "GOOD", "MM2"),
		 tp_path("MM1"));
	CHECK(fallback_max(list) == 42.0);
	/* A transport plugin is never a fallback for a local session. */
	snprintf(list, sizeof(list), "%s", tp_list("NOOPONLY", "MMR", "GOOD"));
	CHECK(fallback_max(list) == 42.0);
}

static void test_teardown(void)
{
	vaccel_cleanup();
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_offsets_table, test_own_plugin_first,
	  test_fallback_to_next_plugin, test_fallback_when_hinted,
	  test_hint_selects_plugin, test_hint_is_a_preference,
	  test_remote_takes_transport, test_nobody_implements,
	  test_fallback_order, test_teardown)
