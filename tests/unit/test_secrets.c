/*
 * Unit tests for runner/secrets: the order of precedence of default files,
 * files and arguments, case-insensitive names, values from the environment,
 * errors, and that exactly the final secret values get masked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/secrets.h"

#include "support.h"

struct scratch {
	char dir[64];
	struct strbuf path;
};

static const char *scratch_file(struct scratch *s, const char *name, const char *text)
{
	FILE *fp;

	strbuf_reset(&s->path);
	strbuf_addf(&s->path, "%s/%s", s->dir, name);
	fp = fopen(s->path.buf, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return s->path.buf;
}

static void scratch_init(struct scratch *s)
{
	strcpy(s->dir, "/tmp/slipway-secrets.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	strbuf_init(&s->path, 0);
}

static void scratch_release(struct scratch *s, const char *const *names)
{
	for (; *names; names++) {
		strbuf_reset(&s->path);
		strbuf_addf(&s->path, "%s/%s", s->dir, *names);
		unlink(s->path.buf);
	}
	rmdir(s->dir);
	strbuf_release(&s->path);
}

static const char *masked(const struct mask *m, struct strbuf *sb, const char *text)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, text);
	mask_apply(m, sb);
	return sb->buf;
}

static void test_secrets_precedence(void **state)
{
	static const char *const files[] = { ".secrets", ".vars", "extra.env", NULL };
	char *env[] = { "FROM_ENV=env-value", "PATH=/bin", NULL };
	struct strlist secret_args = STRLIST_INIT, var_args = STRLIST_INIT;
	struct strlist env_files = STRLIST_INIT;
	struct scratch sc;
	struct strbuf sb = STRBUF_INIT;
	struct diag_list d = DIAG_LIST_INIT;
	struct secrets s;
	struct mask m;

	(void)state;
	scratch_init(&sc);
	mask_init(&m);
	scratch_file(&sc, ".secrets", "A=file-a\nMY_TOKEN=file-token\nB=file-b\n");
	scratch_file(&sc, ".vars", "V1=one\nV2=two\n");
	strlist_push(&env_files, scratch_file(&sc, "extra.env", "Path=x\nPATH=y\n"));
	strlist_push(&secret_args, "B=arg-b");
	strlist_push(&secret_args, "my_token=arg-token");
	strlist_push(&secret_args, "FROM_ENV");
	strlist_push(&secret_args, "B=arg-b2");
	strlist_push(&var_args, "v2=TWO");
	{
		struct secrets_opts o = { sc.dir, &secret_args, NULL, &var_args, NULL,
					  &env_files, env };

		assert_int_equal(secrets_collect(&s, &o, &m, &d), 0);
	}
	assert_int_equal(d.nr, 0);
	assert_string_equal(support_pairs(&sb, s.secrets),
			    "A=[file-a],my_token=[arg-token],B=[arg-b2],FROM_ENV=[env-value]");
	assert_string_equal(support_pairs(&sb, s.vars), "V1=[one],v2=[TWO]");
	assert_string_equal(support_pairs(&sb, s.env), "Path=[x],PATH=[y]");
	/* the final values are masked; replaced ones and vars are not */
	assert_int_equal(mask_count_secrets(&m), 4);
	assert_string_equal(masked(&m, &sb, "file-a arg-token env-value arg-b2"),
			    "*** *** *** ***");
	assert_string_equal(masked(&m, &sb, "file-token arg-b one"), "file-token arg-b one");
	secrets_release(&s);
	mask_release(&m);
	strlist_release(&secret_args);
	strlist_release(&var_args);
	strlist_release(&env_files);
	strbuf_release(&sb);
	diag_list_release(&d);
	scratch_release(&sc, files);
}

/* --secret-file replaces the default .secrets; act's fixture as it is. */
static void test_secrets_files_replace_default(void **state)
{
	static const char *const files[] = { ".secrets", NULL };
	const char *shared = getenv("SLIPWAY_SHARED");
	struct strlist secret_files = STRLIST_INIT, env_files = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct diag_list d = DIAG_LIST_INIT;
	struct scratch sc;
	struct secrets s;
	struct mask m;

	(void)state;
	if (!shared || !*shared)
		skip();
	scratch_init(&sc);
	mask_init(&m);
	scratch_file(&sc, ".secrets", "IGNORED=yes\n");
	strlist_pushf(&secret_files, "%s/conformance/act-runner/testdata/secrets/.secrets", shared);
	strlist_pushf(&env_files, "%s/conformance/act-runner/testdata/secrets/.env", shared);
	{
		struct secrets_opts o = { sc.dir, NULL, &secret_files, NULL, NULL, &env_files,
					  NULL };

		assert_int_equal(secrets_collect(&s, &o, &m, &d), 0);
	}
	assert_string_equal(support_pairs(&sb, s.secrets), "MY_SECRET=[top-secret],"
			    "MULTILINE_SECRET=[foo\nbar\nbaz],JSON_SECRET=[{\"foo\": \"bar\"}]");
	assert_string_equal(support_pairs(&sb, s.env), "HELLO=[WORLD],MULTILINE_ENV=[foo\nbar\nbaz]");
	assert_int_equal(s.vars.u.object->nr, 0);
	assert_string_equal(masked(&m, &sb, "bar {\"foo\": \"bar\"} {\\\"foo\\\": \\\"bar\\\"}"),
			    "*** *** ***");
	secrets_release(&s);
	mask_release(&m);
	strlist_release(&secret_files);
	strlist_release(&env_files);
	strbuf_release(&sb);
	diag_list_release(&d);
	scratch_release(&sc, files);
}

static void test_secrets_errors(void **state)
{
	static const char *const files[] = { ".vars", NULL };
	char *env[] = { NULL };
	struct strlist secret_args = STRLIST_INIT, var_args = STRLIST_INIT;
	struct strlist secret_files = STRLIST_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct diag_list d = DIAG_LIST_INIT;
	struct scratch sc;
	struct secrets s;
	struct mask m;

	(void)state;
	scratch_init(&sc);
	mask_init(&m);
	scratch_file(&sc, ".vars", "OK=1\nbad-name=2\n");
	strlist_push(&secret_args, "my-secret=x");
	strlist_push(&secret_args, "UNSET");
	strlist_push(&secret_args, "GOOD=kept");
	strlist_push(&var_args, "=v");
	strlist_pushf(&secret_files, "%s/none", sc.dir);
	{
		struct secrets_opts o = { sc.dir, &secret_args, &secret_files, &var_args, NULL,
					  NULL, env };

		assert_int_equal(secrets_collect(&s, &o, &m, &d), -1);
	}
	assert_int_equal(d.nr, 5);
	assert_string_equal(d.items[0].message, "cannot read file: No such file or directory");
	assert_string_equal(d.items[1].message, "invalid name 'my-secret' in '--secret "
			    "my-secret=x': names are letters, digits and '_', not starting with "
			    "a digit");
	assert_null(d.items[1].file);
	assert_string_equal(d.items[2].message, "'--secret UNSET' takes the value from the "
			    "environment, where 'UNSET' is not set");
	assert_int_equal(d.items[3].line, 2);
	assert_string_equal(d.items[4].message, "invalid name '' in '--var =v': names are "
			    "letters, digits and '_', not starting with a digit");
	assert_string_equal(support_pairs(&sb, s.secrets), "GOOD=[kept]");
	assert_string_equal(support_pairs(&sb, s.vars), "OK=[1]");
	secrets_release(&s);
	mask_release(&m);
	diag_list_release(&d);
	strlist_release(&secret_args);
	strlist_release(&var_args);
	strlist_release(&secret_files);
	strbuf_release(&sb);
	scratch_release(&sc, files);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secrets_precedence),
		cmocka_unit_test(test_secrets_files_replace_default),
		cmocka_unit_test(test_secrets_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
