/*
 * replay: runs a fuzz target's entry point over the seed corpus in
 * tests/fuzz/seeds (or the files and folders given) and reports each as a
 * TAP line, so `make test` and `make test-asan` exercise the fuzz targets
 * without libFuzzer. Linked with exactly one fuzz_*.c.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/strbuf.h"
#include "util/strlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_collect(struct strlist *out, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		strlist_push(out, path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strlist_pushf(out, "%s/%s", path, e->d_name);
	closedir(d);
}

int main(int argc, char **argv)
{
	struct strlist files = STRLIST_INIT;
	int failed = 0;

	if (argc < 2)
		replay_collect(&files, "tests/fuzz/seeds");
	for (int i = 1; i < argc; i++)
		replay_collect(&files, argv[i]);
	if (files.nr)
		qsort(files.items, files.nr, sizeof(*files.items), replay_cmp);
	for (size_t i = 0; i < files.nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		if (strbuf_read_file(&sb, files.items[i], 0) < 0) {
			printf("not ok %zu - read %s\n", i + 1, files.items[i]);
			failed = 1;
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)sb.buf, sb.len);
		printf("ok %zu - %s\n", i + 1, files.items[i]);
		strbuf_release(&sb);
	}
	printf("1..%zu\n", files.nr);
	if (!files.nr)
		failed = 1;
	strlist_release(&files);
	return failed;
}
