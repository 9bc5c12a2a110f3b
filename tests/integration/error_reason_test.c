// SPDX-License-Identifier: Apache-2.0
/*
 * What a program learns when a call fails: vaccel_last_error_message()
 * holds the engine's own reason, locally and through a real vaccel-agent
 * child, for the failures users actually hit (a tensor of the wrong shape
 * or dtype, a corrupt model, text passed as an image, a missing exec
 * symbol), and the rpc plugin says plainly when its address is not an
 * agent at all.
 *
 * Each case runs on a local session and on a REMOTE one in the same
 * process; the remote message must carry the same reason and say that its
 * ids are the agent's.
 */
#include "rpc_common.h"
#include "testing.h"

#include <limits.h>
#include <pthread.h>
#include <sys/un.h>

static struct test_agent agent;
static char unix_path[108], unix_addr[160], web_path[108];


/* Whether `text` holds an absolute path: a '/' starting a word (after a
 * space, quote, bracket, '=', ':' or ','), not a URL's "//". */
static bool names_a_path(const char *text)
{
	for (const char *p = strchr(text, '/'); p; p = strchr(p + 1, '/'))
		if ((p == text || strchr(" \t\n'\"`([<{=:,", p[-1])) &&
		    p[1] != '/' && p[1] && !strchr(" \t\n", p[1]))
			return true;
	return false;
}

/* The last error names `reason` (and, for the remote session, says the
 * agent gave it, and what the agent said names no host path: the client's
 * own address before it may). */
static void check_reason(int remote, const char *reason)
{
	const char *msg = vaccel_last_error_message();
	const char *said = strstr(msg, "says (ids are the agent's)");

	if (!strstr(msg, reason) || (remote && !said)) {
		fprintf(stderr, "%s message lacks \"%s\": \"%s\"\n",
			remote ? "remote" : "local", reason, msg);
		test__failures++;
	}
	if (remote && said && names_a_path(said)) {
		fprintf(stderr, "the agent's message names a host path: \"%s\"\n",
			msg);
		test__failures++;
	}
}

struct pair {
	struct vaccel_session s[2];
};

static int pair_open(struct pair *p, uint32_t hint)
{
	if (vaccel_session_init(&p->s[0], hint))
		return -1;
	if (vaccel_session_init(&p->s[1], hint | VACCEL_PLUGIN_REMOTE)) {
		vaccel_session_release(&p->s[0]);
		return -1;
	}
	return 0;
}

static void pair_close(struct pair *p)
{
	vaccel_session_release(&p->s[0]);
	vaccel_session_release(&p->s[1]);
}

static struct vaccel_torch_tensor *tensor(int64_t c, int type, void *data,
					  size_t elem)
{
	int64_t dims[4] = { 1, c, 32, 32 };
	struct vaccel_torch_tensor *t = NULL;

	if (vaccel_torch_tensor_new(&t, 4, dims, type))
		return NULL;
	if (vaccel_torch_tensor_set_data(t, data, (size_t)c * 32 * 32 * elem)) {
		vaccel_torch_tensor_delete(t);
		return NULL;
	}
	return t;
}

static void test_torch_reasons(void)
{
	const char *dir = getenv("VACCEL_TEST_TORCH");
	static float x[3 * 32 * 32];
	static double xd[3 * 32 * 32];
	unsigned char text[] = "this is a sentence, not an image";
	unsigned char out_text[256], out_name[256];
	struct vaccel_torch_tensor *gray, *dbl, *out = NULL;
	struct vaccel_resource model, junk;
	char path[512], junk_path[] = "/tmp/vaccel-reason-junk-XXXXXX";
	struct pair p;
	int fd;

	if (!dir)
		SKIP("the torch plugin is not built");
	snprintf(path, sizeof(path), "%s/tiny_cnn.pt", dir);
	fd = mkstemp(junk_path);
	REQUIRE(fd >= 0);
	CHECK(write(fd, "not a torchscript zip", 21) == 21);
	close(fd);

	test_use_agent(unix_addr);
	REQUIRE(pair_open(&p, VACCEL_PLUGIN_TORCH) == 0);
	REQUIRE(vaccel_resource_init(&model, path, VACCEL_RESOURCE_MODEL) == 0);
	REQUIRE(vaccel_resource_init(&junk, junk_path,
				     VACCEL_RESOURCE_MODEL) == 0);
	gray = tensor(1, VACCEL_TORCH_FLOAT, x, sizeof(float));
	dbl = tensor(3, VACCEL_TORCH_DOUBLE, xd, sizeof(double));
	REQUIRE(gray && dbl);

	for (int k = 0; k < 2; k++) {
		struct vaccel_session *s = &p.s[k];

		CHECK_INT(vaccel_resource_register(&model, s), VACCEL_OK);
		CHECK_INT(vaccel_resource_register(&junk, s), VACCEL_OK);

		/* A one-channel image for a three-channel network. */
		CHECK_INT(vaccel_torch_model_run(s, &model, NULL, &gray, 1,
						 &out, 1),
			  VACCEL_EBACKEND);
		check_reason(k, "expected input[1, 1, 32, 32] to have 3 channels");
		CHECK(!out);

		/* float64 data for a float32 network. */
		CHECK_INT(vaccel_torch_model_run(s, &model, NULL, &dbl, 1, &out,
						 1),
			  VACCEL_EBACKEND);
		check_reason(k, "Input type (double) and bias type (float)");

		/* A file that is not a TorchScript archive: the agent's copy
		 * of it is named by the file's name. */
		CHECK_INT(vaccel_torch_model_load(s, &junk), VACCEL_EBACKEND);
		check_reason(k, "not a ZIP archive");
		check_reason(k, strrchr(junk_path, '/') + 1);

		/* Text where an image is expected; the session's first
		 * MODEL resource is the good one. */
		CHECK_INT(vaccel_image_classification(s, text, out_text,
						      out_name, sizeof(text),
						      sizeof(out_text),
						      sizeof(out_name)),
			  VACCEL_EINVAL);
		check_reason(k, "cannot decode 33 bytes as an image: unknown image type");

		/* The traceback stays out of the message. */
		CHECK(!strstr(vaccel_last_error_message(), "Traceback"));
	}

	vaccel_torch_tensor_delete(gray);
	vaccel_torch_tensor_delete(dbl);
	vaccel_resource_release(&junk);
	vaccel_resource_release(&model);
	pair_close(&p);
	unlink(junk_path);
	vaccel_cleanup();
}

static void test_exec_reason(void)
{
	const char *lib = getenv("VACCEL_TEST_MYTESTLIB");
	int32_t x = 1, y = 0;
	struct vaccel_arg rd = { &x, 4, VACCEL_ARG_INT32, 0, false };
	struct vaccel_arg wr = { &y, 4, VACCEL_ARG_INT32, 0, false };
	char want[600], want_remote[600], real[PATH_MAX];
	struct vaccel_resource res;
	struct pair p;

	REQUIRE(realpath(lib, real));
	test_use_agent(unix_addr);
	REQUIRE(pair_open(&p, VACCEL_PLUGIN_GENERIC) == 0);
	REQUIRE(vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB) == 0);
	snprintf(want, sizeof(want), "symbol no_such_function not found in %s",
		 lib);
	/* The agent names the library by its file name only. */
	snprintf(want_remote, sizeof(want_remote),
		 "symbol no_such_function not found in %s",
		 strrchr(real, '/') + 1);
	for (int k = 0; k < 2; k++) {
		CHECK_INT(vaccel_exec(&p.s[k], lib, "no_such_function", &rd, 1,
				      &wr, 1),
			  VACCEL_ENOSYS);
		check_reason(k, k ? want_remote : want);

		/* A library resource: on the agent, a file in its work
		 * directory, named by the name the client gave it. */
		CHECK_INT(vaccel_resource_register(&res, &p.s[k]), VACCEL_OK);
		CHECK_INT(vaccel_exec_with_resource(&p.s[k], &res,
						    "no_such_function", &rd, 1,
						    &wr, 1),
			  VACCEL_ENOSYS);
		check_reason(k, "symbol no_such_function not found in");
		check_reason(k, strrchr(lib, '/') + 1);
		CHECK_INT(vaccel_resource_unregister(&res, &p.s[k]), VACCEL_OK);
	}
	vaccel_resource_release(&res);
	pair_close(&p);
	vaccel_cleanup();
}

/* A server that answers every connection like a web server would. */
static void *not_an_agent(void *arg)
{
	int lfd = *(int *)arg;
	char buf[256];
	int fd = accept(lfd, NULL, NULL);

	if (fd >= 0) {
		const char *reply = "HTTP/1.1 400 Bad Request\r\n\r\n";

		(void)!read(fd, buf, sizeof(buf));
		(void)!write(fd, reply, strlen(reply));
		close(fd);
	}
	return NULL;
}

static void test_not_an_agent(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char addr[160];
	struct vaccel_session s;
	pthread_t t;
	int lfd;

	memcpy(sa.sun_path, web_path, sizeof(web_path));
	snprintf(addr, sizeof(addr), "unix://%s", web_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	REQUIRE(lfd >= 0);
	REQUIRE(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	REQUIRE(listen(lfd, 1) == 0);
	REQUIRE(pthread_create(&t, NULL, not_an_agent, &lfd) == 0);

	test_use_agent(addr);
	CHECK_INT(vaccel_session_init(&s, VACCEL_PLUGIN_REMOTE), VACCEL_EIO);
	CHECK(strstr(vaccel_last_error_message(), "is not a vaccel-agent"));
	CHECK(strstr(vaccel_last_error_message(), web_path));
	CHECK_INT(s.id, 0);
	vaccel_cleanup();

	pthread_join(t, NULL);
	close(lfd);
	unlink(web_path);
}

/* The agent every remote case talks to, allowed to run the example
 * library's functions. */
static void test_start_agent(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *addrs[] = { unix_addr };
	const char *extra[] = { "--exec-allow", getenv("VACCEL_TEST_MYTESTLIB"),
				NULL };

	tmp = tmp && *tmp ? tmp : "/tmp";
	snprintf(unix_path, sizeof(unix_path), "%s/vaccel-reason-%d.sock", tmp,
		 (int)getpid());
	snprintf(web_path, sizeof(web_path), "%s/vaccel-web-%d.sock", tmp,
		 (int)getpid());
	snprintf(unix_addr, sizeof(unix_addr), "unix://%s", unix_path);
	if (test_agent_start(&agent, addrs, 1, extra)) {
		fprintf(stderr, "cannot start the agent\n");
		exit(1);
	}
}

static void test_stop_agent(void)
{
	CHECK_INT(test_agent_stop(&agent), 0);
}

TEST_MAIN(test_start_agent, test_torch_reasons, test_exec_reason,
	  test_not_an_agent, test_stop_agent)
