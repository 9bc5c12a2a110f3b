// SPDX-License-Identifier: Apache-2.0
/*
 * main() for the fuzz targets in builds without libFuzzer:
 *
 *   fuzz_replay_<target> CORPUS [MORE...]
 *
 * runs every file named on the command line (directories: every file
 * inside, sorted) once through LLVMFuzzerTestOneInput. This is how the seed
 * corpora and the regression inputs (tests/fuzz/regressions) run in every
 * build, under the sanitizers of that build. Exits 1 when an argument
 * cannot be read or when CORPUS holds no input (a replay of nothing proves
 * nothing; the regression directories after it may be empty); a crash or a
 * sanitizer report ends the process with its own status.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path, size_t *nr)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret = 1;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto out;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	(*nr)++;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(buf);
	fclose(f);
	return ret;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path, size_t *nr)
{
	struct dirent **list;
	struct stat st;
	int n, ret = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, nr);
	n = scandir(path, &list, NULL, by_name);
	if (n < 0) {
		fprintf(stderr, "replay: cannot list %s\n", path);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char sub[4096];

		if (list[i]->d_name[0] != '.') {
			snprintf(sub, sizeof(sub), "%s/%s", path,
				 list[i]->d_name);
			ret |= run_path(sub, nr);
		}
		free(list[i]);
	}
	free(list);
	return ret;
}

int main(int argc, char **argv)
{
	size_t nr = 0;
	int ret = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS [MORE...]\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		size_t before = nr;

		ret |= run_path(argv[i], &nr);
		if (i == 1 && nr == before) {
			fprintf(stderr, "replay: the corpus %s holds no input\n",
				argv[1]);
			ret = 1;
		}
	}
	printf("replayed %zu inputs\n", nr);
	return ret;
}
