// SPDX-License-Identifier: Apache-2.0
/*
 * vaccel-mixed-ops: one call of every op family through whatever plugins
 * VACCEL_PLUGINS names, with the public API only, printing the status and
 * the bytes of every result the program receives, one line per call:
 *
 *   vaccel-mixed-ops LIB DATA_DIR IMAGE
 *
 * LIB is libvaccel-mixedlib.so built for the architecture that runs the ops
 * (this machine's when the plugins are local, the agent's through
 * libvaccel-rpc.so; an exec-with-resource call uploads it). DATA_DIR holds
 * the test models (tests/data), IMAGE a JPEG. tests/mixed/mixed-arch.sh
 * runs it locally and through agents of other architectures and compares
 * the reports byte for byte.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vaccel.h>

static const char *lib;

/* Report lines: "<name> rc=<n> <label>=<hex> ...". */
static void line(const char *name, int rc)
{
	printf("%s rc=%d", name, rc);
}

static void field(const char *label, const void *buf, size_t size)
{
	const unsigned char *p = buf;

	printf(" %s=", label);
	for (size_t i = 0; i < size; i++)
		printf("%02x", p[i]);
}

static void end(void)
{
	printf("\n");
}

/* Deterministic bytes, different for every (seed, index). */
static void fill(void *buf, size_t size, unsigned int seed)
{
	unsigned char *p = buf;
	uint32_t x = 2463534242u ^ (seed * 2654435761u);

	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)(x >> 11);
	}
}

/* FNV-1a, for the results too long to print. */
static uint64_t digest(const void *buf, size_t size)
{
	const unsigned char *p = buf;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void op_noop(struct vaccel_session *s)
{
	line("noop", vaccel_noop(s));
	end();
}

/* Exec with one read argument of every type, echoed by mixed_echo into a
 * write argument of the same type and size (STRING comes back as a
 * BUFFER: the echo does not keep its NUL). */
#define NR_TYPES VACCEL_ARG_MAX

static void exec_args(struct vaccel_arg *rd, struct vaccel_arg *wr,
		      unsigned char *data, unsigned char *out,
		      unsigned char *rec, size_t rec_size)
{
	size_t off = 0;

	for (int t = 0; t < NR_TYPES; t++) {
		size_t elem = vaccel_arg_type_elem_size((vaccel_arg_type_t)t);
		size_t size = elem;
		uint32_t custom = 0;

		if (t == VACCEL_ARG_RAW)
			size = 5;
		else if (t == VACCEL_ARG_STRING)
			size = sizeof("vAccel mixed");
		else if (t == VACCEL_ARG_BUFFER)
			size = 300;
		else if (t == VACCEL_ARG_CUSTOM)
			size = 17, custom = 0xc0ffee01u;
		else if (t % 2 == 0) /* the _ARRAY types */
			size = 3 * elem;

		if (t == VACCEL_ARG_STRING)
			memcpy(data + off, "vAccel mixed", size);
		else if (t == VACCEL_ARG_BOOL || t == VACCEL_ARG_BOOL_ARRAY)
			for (size_t i = 0; i < size; i++)
				data[off + i] = (unsigned char)((i + (size_t)t) % 2);
		else
			fill(data + off, size, (unsigned int)t + 1);
		rd[t] = (struct vaccel_arg){ .buf = data + off, .size = size,
					     .type = (vaccel_arg_type_t)t,
					     .custom_type_id = custom };
		wr[t + 1] = (struct vaccel_arg){
			.buf = out + off, .size = size,
			.type = t == VACCEL_ARG_STRING ? VACCEL_ARG_BUFFER :
							(vaccel_arg_type_t)t,
			.custom_type_id = custom
		};
		off += size;
	}
	wr[0] = (struct vaccel_arg){ .buf = rec, .size = rec_size,
				     .type = VACCEL_ARG_BUFFER };
}

static void print_writes(const struct vaccel_arg *wr, int nr)
{
	char label[16];

	for (int i = 0; i < nr; i++) {
		snprintf(label, sizeof(label), "w%d", i);
		field(label, wr[i].buf, wr[i].size);
	}
}

static void op_exec(struct vaccel_session *s)
{
	static unsigned char data[2048], out[2048], rec[2048];
	struct vaccel_arg rd[NR_TYPES], wr[NR_TYPES + 1];
	struct vaccel_resource res = { 0 };
	int rc;

	exec_args(rd, wr, data, out, rec, sizeof(rec));
	memset(out, 0xee, sizeof(out));
	memset(rec, 0xee, sizeof(rec));
	rc = vaccel_exec(s, lib, "mixed_echo", rd, NR_TYPES, wr, NR_TYPES + 1);
	line("exec_every_arg_type", rc);
	print_writes(wr, NR_TYPES + 1);
	end();

	/* The same library uploaded as a LIB resource; three of the args. */
	rc = vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB);
	if (rc == VACCEL_OK)
		rc = vaccel_resource_register(&res, s);
	memset(out, 0xee, sizeof(out));
	memset(rec, 0xee, sizeof(rec));
	wr[0].size = 256;
	if (rc == VACCEL_OK)
		rc = vaccel_exec_with_resource(s, &res, "mixed_echo",
					       rd + VACCEL_ARG_INT64, 3, wr, 4);
	line("exec_with_resource", rc);
	print_writes(wr, 4);
	end();
	if (res.id > 0)
		vaccel_resource_release(&res);
}

static struct vaccel_arg arg(void *buf, size_t size, vaccel_arg_type_t type)
{
	return (struct vaccel_arg){ .buf = buf, .size = size, .type = type };
}

static void op_genop(struct vaccel_session *s, const void *img,
		     size_t img_size)
{
	uint8_t op;
	int32_t op32;
	char sym[] = "mixed_echo";
	char libpath[4096];
	int64_t i64 = -1234567890123ll, m = 2, n = 3, k = 2, ld;
	double f64[4] = { 1.5, -2.25, 1e300, -0.0 };
	unsigned char rec[256], e1[8], e2[32], text[128], name[128];
	float alpha = 2.0f, beta = 0.0f, a[4], b[6], c[6];
	double in[6] = { 3.5, -1.0, 12.0, 7.25, 0.5, 99.0 }, o[6], mn, mx;
	int32_t nd = 6, lo = 0, hi = 50;
	struct vaccel_arg rd[12], wr[3];
	int rc;

	op = VACCEL_OP_NOOP;
	rd[0] = arg(&op, 1, VACCEL_ARG_UINT8);
	line("genop_noop", vaccel_genop(s, rd, 1, NULL, 0));
	end();

	op = VACCEL_OP_EXEC;
	snprintf(libpath, sizeof(libpath), "%s", lib);
	rd[1] = arg(libpath, strlen(libpath) + 1, VACCEL_ARG_STRING);
	rd[2] = arg(sym, sizeof(sym), VACCEL_ARG_STRING);
	rd[3] = arg(&i64, sizeof(i64), VACCEL_ARG_INT64);
	rd[4] = arg(f64, sizeof(f64), VACCEL_ARG_FLOAT64_ARRAY);
	wr[0] = arg(rec, sizeof(rec), VACCEL_ARG_BUFFER);
	wr[1] = arg(e1, sizeof(e1), VACCEL_ARG_INT64);
	wr[2] = arg(e2, sizeof(e2), VACCEL_ARG_FLOAT64_ARRAY);
	memset(rec, 0xee, sizeof(rec));
	rc = vaccel_genop(s, rd, 5, wr, 3);
	line("genop_exec", rc);
	print_writes(wr, 3);
	end();

	/* MINMAX with the op type as a 4-byte integer, as older programs
	 * pass it. */
	op32 = VACCEL_OP_MINMAX;
	rd[0] = arg(&op32, 4, VACCEL_ARG_INT32);
	rd[1] = arg(in, sizeof(in), VACCEL_ARG_FLOAT64_ARRAY);
	rd[2] = arg(&nd, 4, VACCEL_ARG_INT32);
	rd[3] = arg(&lo, 4, VACCEL_ARG_INT32);
	rd[4] = arg(&hi, 4, VACCEL_ARG_INT32);
	memset(o, 0, sizeof(o));
	mn = mx = 0;
	wr[0] = arg(o, sizeof(o), VACCEL_ARG_FLOAT64_ARRAY);
	wr[1] = arg(&mn, 8, VACCEL_ARG_FLOAT64);
	wr[2] = arg(&mx, 8, VACCEL_ARG_FLOAT64);
	rc = vaccel_genop(s, rd, 5, wr, 3);
	line("genop_minmax", rc);
	print_writes(wr, 3);
	end();

	op = VACCEL_OP_BLAS_SGEMM;
	for (int i = 0; i < 4; i++)
		a[i] = (float)(i * 5 % 9) / 4.0f - 1.0f;
	for (int i = 0; i < 6; i++)
		b[i] = (float)(i * 3 % 7) - 2.5f;
	memset(c, 0, sizeof(c));
	ld = k;
	rd[0] = arg(&op, 1, VACCEL_ARG_UINT8);
	rd[1] = arg(&m, 8, VACCEL_ARG_INT64);
	rd[2] = arg(&n, 8, VACCEL_ARG_INT64);
	rd[3] = arg(&k, 8, VACCEL_ARG_INT64);
	rd[4] = arg(&alpha, 4, VACCEL_ARG_FLOAT32);
	rd[5] = arg(a, sizeof(a), VACCEL_ARG_FLOAT32_ARRAY);
	rd[6] = arg(&ld, 8, VACCEL_ARG_INT64);
	rd[7] = arg(b, sizeof(b), VACCEL_ARG_FLOAT32_ARRAY);
	rd[8] = arg(&n, 8, VACCEL_ARG_INT64);
	rd[9] = arg(&beta, 4, VACCEL_ARG_FLOAT32);
	rd[10] = arg(&n, 8, VACCEL_ARG_INT64);
	wr[0] = arg(c, sizeof(c), VACCEL_ARG_FLOAT32_ARRAY);
	rc = vaccel_genop(s, rd, 11, wr, 1);
	line("genop_sgemm", rc);
	print_writes(wr, 1);
	end();

	op = VACCEL_OP_IMAGE_CLASSIFY;
	memset(text, 0, sizeof(text));
	memset(name, 0, sizeof(name));
	rd[0] = arg(&op, 1, VACCEL_ARG_UINT8);
	rd[1] = arg((void *)img, img_size, VACCEL_ARG_BUFFER);
	wr[0] = arg(text, sizeof(text), VACCEL_ARG_UCHAR_ARRAY);
	wr[1] = arg(name, sizeof(name), VACCEL_ARG_UCHAR_ARRAY);
	rc = vaccel_genop(s, rd, 2, wr, 2);
	line("genop_classify", rc);
	print_writes(wr, 2);
	end();

	/* EXEC_WITH_RESOURCE names the resource by its (local) id. */
	{
		struct vaccel_resource res = { 0 };
		int64_t id = 0;

		rc = vaccel_resource_init(&res, lib, VACCEL_RESOURCE_LIB);
		if (rc == VACCEL_OK) {
			rc = vaccel_resource_register(&res, s);
			id = res.id;
		}
		op = VACCEL_OP_EXEC_WITH_RESOURCE;
		rd[0] = arg(&op, 1, VACCEL_ARG_UINT8);
		rd[1] = arg(&id, 8, VACCEL_ARG_INT64);
		rd[2] = arg(sym, sizeof(sym), VACCEL_ARG_STRING);
		rd[3] = arg(&i64, sizeof(i64), VACCEL_ARG_INT64);
		wr[0] = arg(rec, sizeof(rec), VACCEL_ARG_BUFFER);
		wr[1] = arg(e1, sizeof(e1), VACCEL_ARG_INT64);
		memset(rec, 0xee, sizeof(rec));
		if (rc == VACCEL_OK)
			rc = vaccel_genop(s, rd, 4, wr, 2);
		line("genop_exec_with_resource", rc);
		print_writes(wr, 2);
		end();
		if (res.id > 0)
			vaccel_resource_release(&res);
	}
}

static void op_image(struct vaccel_session *s, const void *img,
		     size_t img_size)
{
	static const struct {
		const char *name;
		int (*fn)(struct vaccel_session *, const void *,
			  unsigned char *, size_t, size_t);
	} ops[] = {
		{ "image_detection", vaccel_image_detection },
		{ "image_segmentation", vaccel_image_segmentation },
		{ "image_pose", vaccel_image_pose },
		{ "image_depth", vaccel_image_depth },
	};
	unsigned char text[256], name[256];
	int rc;

	memset(text, 0, sizeof(text));
	memset(name, 0, sizeof(name));
	rc = vaccel_image_classification(s, img, text, name, img_size,
					 sizeof(text), sizeof(name));
	line("image_classification", rc);
	field("text", text, sizeof(text));
	field("imgname", name, sizeof(name));
	end();
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		memset(name, 0, sizeof(name));
		rc = ops[i].fn(s, img, name, img_size, sizeof(name));
		line(ops[i].name, rc);
		field("imgname", name, sizeof(name));
		end();
	}
}

/* C = alpha * A(m x k) B(k x n) + beta * C with beta != 0, so C travels
 * both ways. */
static void op_sgemm(struct vaccel_session *s)
{
	enum { M = 4, N = 3, K = 5 };
	float a[M * K], b[K * N], c[M * N];
	int rc;

	for (int i = 0; i < M * K; i++)
		a[i] = (float)(i % 7) * 0.5f - 1.0f;
	for (int i = 0; i < K * N; i++)
		b[i] = (float)(i % 5) * -0.25f + 2.0f;
	for (int i = 0; i < M * N; i++)
		c[i] = (float)i / 3.0f;
	rc = vaccel_sgemm(s, M, N, K, 1.5f, a, K, b, N, 0.5f, c, N);
	line("sgemm", rc);
	field("c", c, sizeof(c));
	end();
}

/* A DATA resource of 3 MiB + 5 bytes uploads in four chunks; syncing it
 * back brings the agent's copy (a local plugin leaves the caller's). */
static void op_upload(struct vaccel_session *s)
{
	size_t size = (3u << 20) + 5;
	unsigned char *buf = malloc(size);
	struct vaccel_resource res = { 0 };
	uint64_t h[2] = { 0, 0 };
	int rc;

	if (!buf) {
		line("resource_upload", VACCEL_ENOMEM);
		end();
		return;
	}
	fill(buf, size, 77);
	h[0] = digest(buf, size);
	rc = vaccel_resource_init_from_buf(&res, buf, size,
					   VACCEL_RESOURCE_DATA, "blob.bin",
					   true);
	if (rc == VACCEL_OK)
		rc = vaccel_resource_register(&res, s);
	if (rc == VACCEL_OK)
		rc = vaccel_resource_sync(&res, s);
	if (rc == VACCEL_OK && res.nr_blobs == 1)
		h[1] = digest(res.blobs[0]->data, res.blobs[0]->size);
	line("resource_upload", rc);
	field("sent", &h[0], 8);
	field("synced", &h[1], 8);
	end();
	if (res.id > 0)
		vaccel_resource_release(&res);
	free(buf);
}

static int load_model(struct vaccel_session *s, struct vaccel_resource *r,
		      const char *dir, const char *file)
{
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	rc = vaccel_resource_init(r, path, VACCEL_RESOURCE_MODEL);
	if (rc)
		return rc;
	rc = vaccel_resource_register(r, s);
	if (rc) {
		vaccel_resource_release(r);
		r->id = 0;
	}
	return rc;
}

/* Runs a model and prints each output's dtype, dims and bytes. */
static void torch_run(struct vaccel_session *s, struct vaccel_resource *model,
		      const char *name, struct vaccel_torch_tensor **in,
		      int nr_in, int nr_out)
{
	struct vaccel_torch_tensor *out[16] = { 0 };
	char label[16];
	int rc;

	rc = vaccel_torch_model_run(s, model, NULL, in, nr_in, out, nr_out);
	line(name, rc);
	for (int i = 0; rc == VACCEL_OK && i < nr_out; i++) {
		snprintf(label, sizeof(label), "o%d", i);
		printf(" %s:dtype=%d:dims=", label, (int)out[i]->data_type);
		for (int64_t d = 0; d < out[i]->nr_dims; d++)
			printf("%s%lld", d ? "x" : "", (long long)out[i]->dims[d]);
		field("data", out[i]->data, out[i]->size);
		vaccel_torch_tensor_delete(out[i]);
	}
	end();
}

/* The same with a model of its own, registered for this run only. */
static void torch_run_file(struct vaccel_session *s, const char *dir,
			   const char *file, const char *name,
			   struct vaccel_torch_tensor **in, int nr_in,
			   int nr_out)
{
	struct vaccel_resource model = { 0 };
	int rc = load_model(s, &model, dir, file);

	if (rc == VACCEL_OK) {
		torch_run(s, &model, name, in, nr_in, nr_out);
		vaccel_resource_release(&model);
	} else {
		line(name, rc);
		end();
	}
}

static struct vaccel_torch_tensor *tensor(int nr_dims, const int64_t *dims,
					  enum vaccel_torch_data_type type,
					  void *data, size_t size)
{
	struct vaccel_torch_tensor *t = NULL;

	if (vaccel_torch_tensor_new(&t, nr_dims, dims, type) ||
	    vaccel_torch_tensor_set_data(t, data, size)) {
		vaccel_torch_tensor_delete(t);
		return NULL;
	}
	return t;
}

static void op_torch(struct vaccel_session *s, struct vaccel_resource *cnn,
		     const char *dir)
{
	/* dtypes.pt: one tensor of each dtype, each of another rank. */
	static const struct {
		enum vaccel_torch_data_type type;
		size_t elem;
		int nr_dims;
		int64_t dims[4];
	} spec[9] = {
		{ VACCEL_TORCH_BYTE, 1, 0, { 0 } },
		{ VACCEL_TORCH_CHAR, 1, 1, { 3 } },
		{ VACCEL_TORCH_SHORT, 2, 2, { 2, 3 } },
		{ VACCEL_TORCH_INT, 4, 3, { 2, 1, 2 } },
		{ VACCEL_TORCH_LONG, 8, 4, { 1, 2, 1, 2 } },
		{ VACCEL_TORCH_HALF, 2, 1, { 5 } },
		{ VACCEL_TORCH_FLOAT, 4, 2, { 3, 2 } },
		{ VACCEL_TORCH_DOUBLE, 8, 3, { 1, 2, 2 } },
		{ VACCEL_TORCH_BOOL, 1, 2, { 2, 2 } },
	};
	static unsigned char data[9][64];
	static float x[3 * 32 * 32], ab[2][2 * 3 * 4];
	struct vaccel_torch_tensor *in[9] = { 0 };
	int64_t cnn_dims[4] = { 1, 3, 32, 32 }, ab_dims[3] = { 2, 3, 4 };

	for (int i = 0; i < 9; i++) {
		size_t n = spec[i].elem;

		for (int d = 0; d < spec[i].nr_dims; d++)
			n *= (size_t)spec[i].dims[d];
		fill(data[i], n, 100 + (unsigned int)i);
		if (spec[i].type == VACCEL_TORCH_BOOL)
			for (size_t j = 0; j < n; j++)
				data[i][j] &= 1;
		if (spec[i].type == VACCEL_TORCH_HALF) /* finite halves */
			for (size_t j = 1; j < n; j += 2)
				data[i][j] &= 0x3f;
		if (spec[i].type == VACCEL_TORCH_FLOAT)
			for (size_t j = 3; j < n; j += 4)
				data[i][j] &= 0x3f;
		if (spec[i].type == VACCEL_TORCH_DOUBLE)
			for (size_t j = 7; j < n; j += 8)
				data[i][j] &= 0x3f;
		in[i] = tensor(spec[i].nr_dims, spec[i].dims, spec[i].type,
			       data[i], n);
	}
	torch_run_file(s, dir, "dtypes.pt", "torch_dtypes_ranks", in, 9, 9);
	for (int i = 0; i < 9; i++)
		vaccel_torch_tensor_delete(in[i]);

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 24; j++)
			ab[i][j] = (float)((j * 7 + i * 5) % 11) * 0.375f - 1.5f;
	in[0] = tensor(3, ab_dims, VACCEL_TORCH_FLOAT, ab[0], sizeof(ab[0]));
	in[1] = tensor(3, ab_dims, VACCEL_TORCH_FLOAT, ab[1], sizeof(ab[1]));
	torch_run_file(s, dir, "two_io.pt", "torch_two_io", in, 2, 2);
	vaccel_torch_tensor_delete(in[0]);
	vaccel_torch_tensor_delete(in[1]);

	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		x[i] = (float)((int)((i * 7919) % 255) - 127) / 64.0f;
	in[0] = tensor(4, cnn_dims, VACCEL_TORCH_FLOAT, x, sizeof(x));
	torch_run(s, cnn, "torch_tiny_cnn", in, 1, 1);
	vaccel_torch_tensor_delete(in[0]);
}

int main(int argc, char **argv)
{
	struct vaccel_session sess;
	struct vaccel_resource cnn = { 0 };
	size_t img_size = 0;
	void *img;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: %s LIB DATA_DIR IMAGE\n", argv[0]);
		return 2;
	}
	lib = argv[1];
	img = util_read_file(argv[3], &img_size);
	if (!img) {
		fprintf(stderr, "cannot read %s\n", argv[3]);
		return 2;
	}
	rc = vaccel_session_init(&sess, 0);
	if (rc) {
		fprintf(stderr, "session init: %s\n", vaccel_strerror(rc));
		free(img);
		return 1;
	}
	/* The session's first MODEL resource is the image ops' model. */
	line("model_register", load_model(&sess, &cnn, argv[2], "tiny_cnn.pt"));
	end();

	op_noop(&sess);
	op_exec(&sess);
	op_genop(&sess, img, img_size);
	op_image(&sess, img, img_size);
	op_sgemm(&sess);
	op_upload(&sess);
	op_torch(&sess, &cnn, argv[2]);

	if (cnn.id > 0)
		vaccel_resource_release(&cnn);
	vaccel_session_release(&sess);
	free(img);
	return 0;
}
