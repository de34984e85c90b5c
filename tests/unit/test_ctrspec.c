/*
 * Unit tests for runner/ctrspec: `container:` and `services:` values (as
 * JSON) with the exact spec each decodes to, rendered as text, or the
 * exact error; the word splitter on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "runner/ctrspec.h"
#include "util/json.h"

static void render_list(struct strbuf *sb, const char *name, const struct strlist *l)
{
	if (!l || !l->nr)
		return;
	strbuf_addf(sb, " %s=[", name);
	for (size_t i = 0; i < l->nr; i++)
		strbuf_addf(sb, "%s%s", i ? "|" : "", l->items[i]);
	strbuf_addch(sb, ']');
}

static void render_str(struct strbuf *sb, const char *name, const char *s)
{
	if (s)
		strbuf_addf(sb, " %s=%s", name, s);
}

static void render_num(struct strbuf *sb, const char *name, long long n)
{
	if (n)
		strbuf_addf(sb, " %s=%lld", name, n);
}

/* Everything the engine would be given, in a fixed order. */
static const char *render(struct strbuf *sb, struct ctrspec *c)
{
	struct engine_container_spec s;

	ctrspec_engine_spec(&s, c);
	strbuf_reset(sb);
	strbuf_addf(sb, "%s", s.image);
	render_str(sb, "key", c->key);
	render_str(sb, "login", c->username);
	render_str(sb, "password", c->password);
	render_list(sb, "env", s.env);
	render_list(sb, "ports", s.ports);
	render_list(sb, "binds", s.binds);
	render_list(sb, "named", &c->named);
	render_list(sb, "anonymous", &c->anonymous);
	render_str(sb, "user", s.user);
	render_str(sb, "hostname", s.hostname);
	render_str(sb, "workdir", s.workdir);
	if (s.entrypoint && s.entrypoint->nr)
		render_list(sb, "entrypoint", s.entrypoint);
	else if (s.entrypoint)
		strbuf_addstr(sb, " entrypoint=none");
	if (s.health) {
		render_list(sb, "health", s.health->test);
		render_num(sb, "interval", s.health->interval_ms);
		render_num(sb, "timeout", s.health->timeout_ms);
		render_num(sb, "start", s.health->start_period_ms);
		render_num(sb, "retries", s.health->retries);
	}
	render_num(sb, "memory", s.memory);
	render_num(sb, "nanocpus", s.nano_cpus);
	render_num(sb, "shm", s.shm_size);
	render_list(sb, "tmpfs", s.tmpfs);
	render_list(sb, "labels", s.labels);
	render_list(sb, "hosts", s.extra_hosts);
	render_list(sb, "capadd", s.cap_add);
	render_list(sb, "capdrop", s.cap_drop);
	render_list(sb, "secopt", s.security_opt);
	if (s.privileged)
		strbuf_addstr(sb, " privileged");
	if (s.init)
		strbuf_addstr(sb, " init");
	if (s.read_only)
		strbuf_addstr(sb, " read-only");
	return sb->buf;
}

static void test_ctrspec_container(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "\"node:20\"", "node:20" },
		{ "\"\"", "(none)" },
		{ "{\"image\": \"\", \"options\": \"--bogus\"}", "(none)" },
		{ "null", "(none)" },
		{ "{\"image\": \"redis:7\", \"env\": {\"A\": \"1\", \"B\": 2, \"C\": true, \"D\": null},"
		  " \"ports\": [80, \"8080:80\", \"127.0.0.1:9000:9000/udp\"],"
		  " \"credentials\": {\"username\": \"u\", \"password\": \"p\"}}",
		  "redis:7 login=u password=p env=[A=1|B=2|C=true|D=] "
		  "ports=[80|8080:80|127.0.0.1:9000:9000/udp]" },
		{ "{\"image\": \"x\", \"volumes\": [\"/data\", \"cache:/cache\", \"/src:/dst:ro\"]}",
		  "x binds=[cache:/cache|/src:/dst:ro] named=[cache] anonymous=[/data]" },
		{ "{\"image\": \"x\", \"options\": \"--user 1001:1001 --cpus 1.5 -m 512m "
		  "--shm-size=2g -e E=1 --env 'F=two words' --hostname=h --privileged --init "
		  "--read-only --rm --cap-add SYS_PTRACE --cap-drop=NET_RAW --security-opt "
		  "seccomp=unconfined --add-host db:10.0.0.2 --tmpfs /run:size=1m -l a=b -p 81 "
		  "-v v2:/v2 -w /work --entrypoint ''\"}",
		  "x env=[E=1|F=two words] ports=[81] binds=[v2:/v2] named=[v2] user=1001:1001 "
		  "hostname=h workdir=/work entrypoint=none memory=536870912 nanocpus=1500000000 "
		  "shm=2147483648 tmpfs=[/run:size=1m] labels=[a=b] hosts=[db:10.0.0.2] "
		  "capadd=[SYS_PTRACE] capdrop=[NET_RAW] secopt=[seccomp=unconfined] privileged "
		  "init read-only" },
		{ "{\"image\": \"pg\", \"options\": \"--health-cmd \\\"pg_isready -U x\\\" "
		  "--health-interval 1s --health-timeout=500ms --health-start-period 1m30s "
		  "--health-retries 5 -h db --entrypoint /bin/sh\"}",
		  "pg hostname=db entrypoint=[/bin/sh] health=[CMD-SHELL|pg_isready -U x] "
		  "interval=1000 timeout=500 start=90000 retries=5" },
		{ "{\"image\": \"pg\", \"options\": \"--no-healthcheck\"}", "pg health=[NONE]" },
		{ "{\"image\": \"x\", \"options\": \"--network host\"}",
		  "error: container: option '--network' is not supported: slipway puts a job and "
		  "its services on a network of its own" },
		{ "{\"image\": \"x\", \"options\": \"--name=mine\"}",
		  "error: container: option '--name' is not supported: slipway names the containers "
		  "of a run" },
		{ "{\"image\": \"x\", \"options\": \"--gpus all\"}",
		  "error: container: unknown option '--gpus'" },
		{ "{\"image\": \"x\", \"options\": \"--help\"}", "error: container: unknown option '--help'" },
		{ "{\"image\": \"x\", \"options\": \"--user\"}",
		  "error: container: option '--user' needs a value" },
		{ "{\"image\": \"x\", \"options\": \"--init stray\"}",
		  "error: container: unexpected argument 'stray' (options are docker create flags)" },
		{ "{\"image\": \"x\", \"options\": \"--cpus 0\"}",
		  "error: container: option '--cpus' expects a number of CPUs such as 1.5, not '0'" },
		{ "{\"image\": \"x\", \"options\": \"-m 12q\"}",
		  "error: container: option '--memory' expects a size such as 512m or 2g, not '12q'" },
		{ "{\"image\": \"x\", \"options\": \"--health-interval 5\"}",
		  "error: container: option '--health-interval' expects a duration such as 10s or "
		  "1m30s, not '5'" },
		{ "{\"image\": \"x\", \"options\": \"--user 'unterminated\"}",
		  "error: container: unterminated quote in '--user 'unterminated'" },
		{ "{\"image\": \"x\", \"volumes\": [\"relative:dir\"]}",
		  "error: container: invalid volume 'relative:dir': expected /container/path, "
		  "volume-name:/container/path or /host/path:/container/path" },
		{ "{\"image\": \"x\", \"volumes\": [\"./data:/data\"]}",
		  "error: container: invalid volume './data:/data': expected /container/path, "
		  "volume-name:/container/path or /host/path:/container/path" },
		{ "{\"image\": \"x\", \"volumes\": \"/data\"}",
		  "error: container: 'volumes' must be a sequence, not a string" },
		{ "{\"image\": \"x\", \"ports\": [[1]]}",
		  "error: container: 'ports[0]' must be a string, not a sequence" },
		{ "{\"image\": \"x\", \"env\": {\"A\": [1]}}",
		  "error: container: 'env.A' must be a string, not a sequence" },
		{ "{\"image\": \"x\", \"options\": 3}",
		  "error: container: 'options' must be a string, not a number" },
		{ "{\"image\": 3}", "error: container: 'image' must be a string, not a number" },
		{ "[\"x\"]", "error: container: 'image' must be an image name or a mapping, not a sequence" },
	};
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct arena a = ARENA_INIT;
		struct ctrspec c;
		struct val v;
		const char *got;

		assert_int_equal(json_parse(&v, &a, cases[i].json, strlen(cases[i].json), &err), 0);
		strbuf_reset(&err);
		if (ctrspec_from_container(&c, v, &err) < 0) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "error: %s", err.buf);
			got = sb.buf;
		} else {
			got = c.image ? render(&sb, &c) : "(none)";
		}
		if (strcmp(got, cases[i].want))
			fail_msg("case %zu: got\n  %s\nwant\n  %s", i, got, cases[i].want);
		ctrspec_release(&c);
		arena_release(&a);
	}
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void test_ctrspec_services(void **state)
{
	static const char json[] =
		"{\"redis\": \"redis:7\", \"skipped\": \"\", "
		"\"db\": {\"image\": \"postgres:16\", \"env\": {\"POSTGRES_PASSWORD\": \"pw\"}, "
		"\"ports\": [\"5432:5432\"], \"options\": \"--health-cmd pg_isready\"}}";
	static const char bad[] =
		"{\"ok\": \"a\", \"bad\": {\"image\": \"b\", \"options\": \"--net x\"}}";
	struct arena a = ARENA_INIT;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct ctrspec *list;
	size_t nr;
	struct val v;

	(void)state;
	assert_int_equal(json_parse(&v, &a, json, strlen(json), &err), 0);
	assert_int_equal(ctrspec_from_services(&list, &nr, v, &err), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(render(&sb, &list[0]), "redis:7 key=redis");
	assert_string_equal(render(&sb, &list[1]), "postgres:16 key=db env=[POSTGRES_PASSWORD=pw] "
			    "ports=[5432:5432] health=[CMD-SHELL|pg_isready]");
	ctrspec_free_list(list, nr);

	assert_int_equal(json_parse(&v, &a, bad, strlen(bad), &err), 0);
	assert_int_equal(ctrspec_from_services(&list, &nr, v, &err), -1);
	assert_string_equal(err.buf, "services.bad: option '--net' is not supported: slipway "
			    "puts a job and its services on a network of its own");
	assert_null(list);

	strbuf_reset(&err);
	assert_int_equal(ctrspec_from_services(&list, &nr, val_cstring(&a, "x"), &err), -1);
	assert_string_equal(err.buf, "services: must be a mapping, not a string");
	assert_int_equal(ctrspec_from_services(&list, &nr, val_null(), &err), 0);
	assert_int_equal(nr, 0);
	strbuf_release(&sb);
	strbuf_release(&err);
	arena_release(&a);
}

static void test_ctrspec_words(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "  a  b\tc\n", "a|b|c" },
		{ "'a b' \"c d\" e\\ f", "a b|c d|e f" },
		{ "--x='1 2'3 \"q\\\"uote\\\\\"", "--x=1 23|q\"uote\\" },
		{ "'' \"\"", "|" },
		{ "\"$HOME\" '$HOME'", "$HOME|$HOME" },
	};
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strlist l = STRLIST_INIT;

		assert_int_equal(ctrspec_split_words(&l, cases[i].in, &err), 0);
		strbuf_reset(&sb);
		for (size_t k = 0; k < l.nr; k++)
			strbuf_addf(&sb, "%s%s", k ? "|" : "", l.items[k]);
		assert_string_equal(sb.buf, cases[i].want);
		strlist_release(&l);
	}
	{
		struct strlist l = STRLIST_INIT;

		assert_int_equal(ctrspec_split_words(&l, "a \"b", &err), -1);
		assert_string_equal(err.buf, "unterminated quote in 'a \"b'");
		strlist_release(&l);
	}
	strbuf_release(&sb);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctrspec_container),
		cmocka_unit_test(test_ctrspec_services),
		cmocka_unit_test(test_ctrspec_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
