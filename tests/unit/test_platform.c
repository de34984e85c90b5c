/*
 * Unit tests for runner/platform: a table of runs-on values (as JSON),
 * mappings (-P specs), and the exact choice or skip notice each gives;
 * then the -P spec syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "runner/platform.h"
#include "util/json.h"

static void test_platform_table(void **state)
{
	static const struct {
		const char *runs_on;    /* JSON */
		const char *maps;       /* -P specs separated by spaces, or "" */
		const char *want;       /* "image NAME", "host", or "none: NOTICE" */
	} cases[] = {
		{ "\"ubuntu-latest\"", "", "image ubuntu:24.04" },
		{ "\"Ubuntu-22.04\"", "", "image ubuntu:22.04" },
		{ "\"ubuntu-24.04-arm\"", "", "image ubuntu:24.04" },
		{ "\"ubuntu-20.04\"", "", "image ubuntu:20.04" },
		{ "\"ubuntu-latest\"", "ubuntu-latest=slipway/python:3", "image slipway/python:3" },
		{ "\"UBUNTU-LATEST\"", "ubuntu-latest=a ubuntu-latest=b", "image a" },
		{ "\"ubuntu-latest\"", "ubuntu-latest=-self-hosted", "host" },
		{ "\"self-hosted\"", "", "host" },
		{ "[\"self-hosted\", \"linux\", \"x64\"]", "", "host" },
		{ "[\"self-hosted\", \"gpu\"]", "gpu=cuda:12", "image cuda:12" },
		{ "{\"group\": \"big\", \"labels\": [\"ubuntu-22.04\"]}", "", "image ubuntu:22.04" },
		{ "{\"group\": \"big\"}", "big=img", "image img" },
		{ "\"windows-latest\"", "windows-latest=-self-hosted", "host" },
		{ "\"windows-latest\"", "",
		  "none: runs-on 'windows-latest' needs a Windows runner, which this machine is not; "
		  "the job is skipped (map the label with -P windows-latest=IMAGE, or "
		  "-P windows-latest=-self-hosted to run it on this machine)" },
		{ "\"macos-14\"", "",
		  "none: runs-on 'macos-14' needs a macOS runner, which this machine is not; "
		  "the job is skipped (map the label with -P macos-14=IMAGE, or "
		  "-P macos-14=-self-hosted to run it on this machine)" },
		{ "[\"self-hosted\", \"windows\"]", "",
		  "none: runs-on [self-hosted, windows] needs a Windows runner, which this machine "
		  "is not; the job is skipped (map the label with -P self-hosted=IMAGE, or "
		  "-P self-hosted=-self-hosted to run it on this machine)" },
		{ "\"my-runner\"", "",
		  "none: runs-on 'my-runner' names no runner slipway knows; the job is skipped "
		  "(map the label with -P my-runner=IMAGE, or -P my-runner=-self-hosted to run it "
		  "on this machine)" },
		{ "\"ubuntu-next\"", "",
		  "none: runs-on 'ubuntu-next' names no runner slipway knows; the job is skipped "
		  "(map the label with -P ubuntu-next=IMAGE, or -P ubuntu-next=-self-hosted to run "
		  "it on this machine)" },
		{ "[]", "", "none: runs-on names no runner label; the job is skipped" },
		{ "null", "", "none: runs-on names no runner label; the job is skipped" },
	};
	struct strbuf why = STRBUF_INIT, got = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct platform_map m = PLATFORM_MAP_INIT;
		struct platform_choice c;
		struct val v;
		char maps[256], *save = NULL;

		assert_int_equal(json_parse(&v, &a, cases[i].runs_on, strlen(cases[i].runs_on),
					    &err), 0);
		strcpy(maps, cases[i].maps);
		for (char *t = strtok_r(maps, " ", &save); t; t = strtok_r(NULL, " ", &save))
			assert_int_equal(platform_map_add_spec(&m, t, &err), 0);
		strbuf_reset(&why);
		strbuf_reset(&got);
		platform_choose(&c, &m, v, &why);
		if (c.kind == PLATFORM_IMAGE)
			strbuf_addf(&got, "image %s", c.image);
		else if (c.kind == PLATFORM_HOST)
			strbuf_addstr(&got, "host");
		else
			strbuf_addf(&got, "none: %s", why.buf);
		if (strcmp(got.buf, cases[i].want))
			fail_msg("case %zu (%s): got '%s', want '%s'", i, cases[i].runs_on, got.buf,
				 cases[i].want);
		assert_true(c.kind == PLATFORM_NONE || !why.len);
		platform_map_release(&m);
		arena_release(&a);
	}
	strbuf_release(&why);
	strbuf_release(&got);
	strbuf_release(&err);
}

static void test_platform_specs(void **state)
{
	static const char *const bad[] = { "", "=img", "label=", "label" };
	struct platform_map m = PLATFORM_MAP_INIT;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		assert_int_equal(platform_map_add_spec(&m, bad[i], &err), -1);
		assert_non_null(strstr(err.buf, "expected LABEL=IMAGE or LABEL=-self-hosted"));
	}
	assert_int_equal(m.labels.nr, 0);
	assert_int_equal(platform_map_add_spec(&m, "a=reg:5000/img:tag=x", &err), 0);
	assert_string_equal(m.labels.items[0], "a");
	assert_string_equal(m.targets.items[0], "reg:5000/img:tag=x");
	platform_map_release(&m);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_table),
		cmocka_unit_test(test_platform_specs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
