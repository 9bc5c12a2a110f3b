// SPDX-License-Identifier: Apache-2.0
/* Blobs: from files and buffers, persisting, reading, mapping. */

#include "core_test.h"
#include "dir_entries.h"

static char *dir;
static char file[4200];

static void setup(void)
{
	dir = make_tmpdir();
	REQUIRE(dir);
	snprintf(file, sizeof(file), "%s/weights.bin", dir);
	REQUIRE(spit(file, "0123456789") == 0);
}

/* Number of entries in dir whose name starts with prefix. */
static int count_prefix(const char *prefix)
{
	return test_dir_entries(dir, prefix, NULL, 0);
}

static void test_from_file(void)
{
	struct vaccel_blob b;
	size_t size = 0;
	uint8_t *data;

	CHECK_INT(vaccel_blob_init(&b, file), VACCEL_OK);
	CHECK_INT(b.type, VACCEL_BLOB_FILE);
	CHECK_STR(b.name, "weights.bin");
	CHECK_STR(vaccel_blob_path(&b), file);
	CHECK_INT(b.size, 10);
	CHECK(b.data == NULL);
	CHECK(!b.path_owned);
	CHECK(vaccel_blob_valid(&b));

	data = vaccel_blob_data(&b, &size);
	REQUIRE(data);
	CHECK_INT(size, 10);
	CHECK(memcmp(data, "0123456789", 10) == 0);
	CHECK(b.data_owned);
	/* Reading again keeps the same bytes. */
	CHECK_INT(vaccel_blob_read(&b), VACCEL_OK);
	CHECK(b.data == data);

	CHECK_INT(vaccel_blob_release(&b), VACCEL_OK);
	/* The user's file is never removed. */
	CHECK(exists(file));
	CHECK(!vaccel_blob_valid(&b));
}

static void test_bad_args(void)
{
	struct vaccel_blob b, *p = NULL;
	uint8_t byte = 1;
	size_t size;

	CHECK_INT(vaccel_blob_init(&b, "/nonexistent/blob"), VACCEL_ENOENT);
	CHECK_INT(vaccel_blob_init(&b, dir), VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_init(NULL, file), VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_init(&b, NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_new(&p, "/nonexistent/blob"), VACCEL_ENOENT);
	CHECK(p == NULL);
	CHECK_INT(vaccel_blob_init_from_buf(&b, NULL, 1, false, "x", NULL,
					    false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_init_from_buf(&b, &byte, 0, false, "x", NULL,
					    false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_init_from_buf(&b, &byte, 1, false, NULL, dir,
					    false),
		  VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_release(NULL), VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_delete(NULL), VACCEL_OK);
	CHECK(vaccel_blob_data(NULL, &size) == NULL);
	CHECK(vaccel_blob_path(NULL) == NULL);
	CHECK(!vaccel_blob_valid(NULL));
	memset(&b, 0, sizeof(b));
	CHECK(!vaccel_blob_valid(&b));
	CHECK_INT(vaccel_blob_read(&b), VACCEL_EINVAL);
	/* Releasing a zeroed blob is harmless. */
	CHECK_INT(vaccel_blob_release(&b), VACCEL_OK);
}

static void test_from_buf_borrowed_and_owned(void)
{
	struct vaccel_blob b, *h = NULL;
	uint8_t borrowed[] = { 9, 8, 7 };
	uint8_t *owned = malloc(4);
	size_t size;

	REQUIRE(owned);
	memcpy(owned, "own!", 4);
	CHECK_INT(vaccel_blob_init_from_buf(&b, borrowed, 3, false, "b", NULL,
					    false),
		  VACCEL_OK);
	CHECK_INT(b.type, VACCEL_BLOB_BUFFER);
	CHECK(b.data == borrowed);
	CHECK(!b.data_owned);
	CHECK(vaccel_blob_path(&b) == NULL);
	CHECK(vaccel_blob_data(&b, &size) == borrowed && size == 3);
	CHECK(vaccel_blob_valid(&b));
	vaccel_blob_release(&b);
	CHECK_INT(borrowed[0], 9);

	/* An owned buffer is freed by delete (valgrind checks it). */
	CHECK_INT(vaccel_blob_from_buf(&h, owned, 4, true, "o", NULL, false),
		  VACCEL_OK);
	REQUIRE(h);
	CHECK(h->data == owned && h->data_owned);
	CHECK_INT(vaccel_blob_delete(h), VACCEL_OK);
}

static void test_persist(void)
{
	struct vaccel_blob b, r1, r2;
	uint8_t bytes[] = "persisted";
	char expect[4300], *text;

	CHECK_INT(vaccel_blob_init_from_buf(&b, bytes, 9, false, "p.bin", dir,
					    false),
		  VACCEL_OK);
	snprintf(expect, sizeof(expect), "%s/p.bin", dir);
	CHECK_INT(b.type, VACCEL_BLOB_FILE);
	CHECK_STR(b.path, expect);
	CHECK_STR(b.name, "p.bin");
	CHECK(b.path_owned);
	CHECK(b.data == bytes);
	text = slurp(expect);
	CHECK(text && strcmp(text, "persisted") == 0);
	free(text);
	/* Written through a temp file that is gone now. */
	CHECK_INT(count_prefix(".vaccel-tmp"), 0);
	vaccel_blob_release(&b);
	CHECK(!exists(expect));

	CHECK_INT(vaccel_blob_init_from_buf(&r1, bytes, 9, false, "r", dir,
					    true),
		  VACCEL_OK);
	CHECK_INT(vaccel_blob_init_from_buf(&r2, bytes, 9, false, "r", dir,
					    true),
		  VACCEL_OK);
	CHECK(strcmp(r1.path, r2.path) != 0);
	CHECK(strncmp(r1.name, "r.", 2) == 0);
	CHECK(exists(r1.path) && exists(r2.path));
	CHECK_INT(file_size(r1.path), 9);
	vaccel_blob_release(&r1);
	vaccel_blob_release(&r2);
	CHECK_INT(count_prefix("r."), 0);

	/* A BUFFER blob persisted later becomes a FILE blob. */
	REQUIRE(vaccel_blob_init_from_buf(&b, bytes, 9, false, "late", NULL,
					  false) == 0);
	CHECK_INT(vaccel_blob_persist(&b, dir, "late.bin", false), VACCEL_OK);
	CHECK_INT(b.type, VACCEL_BLOB_FILE);
	CHECK_INT(file_size(b.path), 9);
	CHECK_INT(vaccel_blob_persist(&b, dir, "a/b", false), VACCEL_EINVAL);
	CHECK_INT(vaccel_blob_persist(&b, "/nonexistent-dir", "x", false),
		  VACCEL_ENOENT);
	CHECK_INT(vaccel_blob_persist(NULL, dir, "x", false), VACCEL_EINVAL);
	vaccel_blob_release(&b);
	CHECK_INT(count_prefix("late"), 0);
}

static void test_mapped(void)
{
	struct vaccel_blob b;
	size_t size = 0;
	uint8_t *data;

	REQUIRE(vaccel_blob_init(&b, file) == 0);
	b.type = VACCEL_BLOB_MAPPED;
	data = vaccel_blob_data(&b, &size);
	REQUIRE(data);
	CHECK_INT(size, 10);
	CHECK(memcmp(data, "0123456789", 10) == 0);
	CHECK_INT(vaccel_blob_release(&b), VACCEL_OK);
}

static void test_teardown(void)
{
	rm_tree(dir);
	free(dir);
}

TEST_MAIN(setup, test_from_file, test_bad_args,
	  test_from_buf_borrowed_and_owned, test_persist, test_mapped,
	  test_teardown)
