// SPDX-License-Identifier: Apache-2.0
/* Op lookup: the session's plugin, fallback, no fallback when hinted. */

#include "core_test.h"

typedef int (*minmax_fn)(struct vaccel_session *, const double *, int, int,
			 int, double *, double *, double *);
typedef int (*noop_fn)(struct vaccel_session *);

static char *dir;
static char log_path[4200];

static void setup(void)
{
	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(log_path, sizeof(log_path), "%s/dispatch.log", dir);
	/* nooponly (SOFTWARE, noop only), good (CPU, noop + minmax), gpu. */
	REQUIRE(boot(tp_list("NOOPONLY", "GOOD", "GPU"), VACCEL_LOG_DEBUG,
		     log_path, false, false) == 0);
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

static void test_no_fallback_when_hinted(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;
	char *text;

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_SOFTWARE) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "nooponly");
	CHECK(vaccel__session_op(&s, VACCEL_OP_MINMAX, &used) == NULL);
	CHECK(vaccel__session_op(&s, VACCEL_OP_NOOP, &used) != NULL);
	vaccel_session_release(&s);

	text = slurp(log_path);
	REQUIRE(text);
	CHECK(strstr(text, "<error> Session ") &&
	      strstr(text, "op VACCEL_OP_MINMAX not implemented by plugin "
			   "nooponly (no fallback"));
	free(text);
}

static void test_hint_selects_plugin(void)
{
	struct vaccel_session s;
	const struct vaccel_plugin *used = NULL;

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_GPU) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "gpu");
	CHECK(vaccel__session_op(&s, VACCEL_OP_NOOP, &used) != NULL);
	CHECK_STR(vaccel_plugin_name(used), "gpu");
	/* gpu lacks minmax and the session is hinted: no fallback. */
	CHECK(vaccel__session_op(&s, VACCEL_OP_MINMAX, &used) == NULL);
	vaccel_session_release(&s);

	REQUIRE(vaccel_session_init(&s, VACCEL_PLUGIN_CPU) == 0);
	CHECK_STR(vaccel_plugin_name(s.plugin), "good");
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
			   "nooponly nor by any other loaded plugin"));
	free(text);
}

static void test_teardown(void)
{
	vaccel_cleanup();
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_offsets_table, test_own_plugin_first,
	  test_fallback_to_next_plugin, test_no_fallback_when_hinted,
	  test_hint_selects_plugin, test_nobody_implements, test_teardown)
