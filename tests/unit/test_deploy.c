/*
 * Unit tests for the CD pipeline's pieces that need no engine: the build
 * context's .dockerignore rules and file list (stages/buildctx), image
 * references (stages/imageref), deploy settings (stages/deployspec), the
 * deployment records (stages/deployrec), the HTTP probe against a server
 * forked here (util/probe), and the slipway/scan and slipway/deploy
 * stages' input handling through stage_main. Deploying itself is e2e.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stages/buildctx.h"
#include "stages/deployrec.h"
#include "stages/deployspec.h"
#include "stages/imageref.h"
#include "stages/stage.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/probe.h"

/* ------------------------------------------------------------------ */
/* Scratch directories */

static char *scratch_new(void)
{
	char *dir = strdup("/tmp/slipway-deploy.XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void scratch_free(char *dir)
{
	struct strbuf err = STRBUF_INIT;

	assert_int_equal(fs_rm_rf(dir, &err), 0);
	strbuf_release(&err);
	free(dir);
}

static void put(const char *dir, const char *rel, const char *text)
{
	struct strbuf p = STRBUF_INIT, err = STRBUF_INIT;
	char *slash;

	fs_path_join(&p, dir, rel);
	slash = strrchr(p.buf, '/');
	*slash = 0;
	assert_int_equal(fs_mkdir_p(p.buf, 0755, &err), 0);
	*slash = '/';
	assert_int_equal(fs_write_file(p.buf, text, strlen(text), 0644, &err), 0);
	strbuf_release(&p);
	strbuf_release(&err);
}

/* ------------------------------------------------------------------ */
/* buildctx */

static const struct {
	const char *rules, *path;
	int excluded;
} ignore_cases[] = {
	{ "*\n!app.py\n", "app.py", 0 },
	{ "*\n!app.py\n", "test_app.py", 1 },
	{ "*\n!app.py\n", "tests/app.py", 1 },        /* '*' excludes the directory */
	{ "*\n!app.py\n!tests/app.py\n", "tests/app.py", 0 },
	{ "# comment\n\n  build  \n", "build/out.o", 1 },
	{ "/build", "build/x", 1 },
	{ "./build/", "build/x", 1 },
	{ "build", "src/build", 0 },                   /* rooted at the context */
	{ "*/build", "src/build/x", 1 },
	{ "**/*.pyc", "a/b/c.pyc", 1 },
	{ "**/*.pyc", "c.pyc", 1 },                    /* ** spans no directory too */
	{ "**/*.pyc", "c.py", 0 },
	{ "a/**/z", "a/z", 1 },
	{ "a/**/z", "a/b/c/z", 1 },
	{ "a/**", "a/b/c", 1 },
	{ "*.md\n!README.md", "README.md", 0 },
	{ "*.md\n!README.md", "CHANGES.md", 1 },
	{ "file?.txt", "file1.txt", 1 },
	{ "file?.txt", "file10.txt", 0 },
	{ "file[0-9].txt", "file7.txt", 1 },
	{ "file[!0-9].txt", "file7.txt", 0 },
	{ "file[^0-9].txt", "filex.txt", 1 },
	{ "\\*.txt", "*.txt", 1 },
	{ "\\*.txt", "a.txt", 0 },
	{ "a/../b", "b/x", 1 },                        /* cleaned as Go's filepath.Clean */
	{ "*", ".dockerignore", 1 },
	{ "", "anything", 0 },
};

static void test_buildctx_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ignore_cases) / sizeof(ignore_cases[0]); i++) {
		struct buildctx_rules *r = NULL;
		struct strbuf err = STRBUF_INIT;
		const char *rules = ignore_cases[i].rules;

		assert_int_equal(buildctx_rules_parse(&r, rules, strlen(rules), &err), 0);
		if (buildctx_excluded(r, ignore_cases[i].path) != ignore_cases[i].excluded)
			fail_msg("rules '%s', path '%s': expected %s", rules, ignore_cases[i].path,
				 ignore_cases[i].excluded ? "excluded" : "kept");
		buildctx_rules_free(r);
		strbuf_release(&err);
	}
}

static void test_buildctx_bad_pattern(void **state)
{
	struct buildctx_rules *r = NULL;
	struct strbuf err = STRBUF_INIT;
	const char *text = "ok\n# fine\nbad[x\n";

	(void)state;
	assert_int_equal(buildctx_rules_parse(&r, text, strlen(text), &err), -1);
	assert_string_equal(err.buf, ".dockerignore:3: invalid pattern 'bad[x'");
	assert_null(r);
	strbuf_release(&err);
}

static void test_buildctx_files(void **state)
{
	char *dir = scratch_new();
	struct strlist files = STRLIST_INIT;
	struct strbuf err = STRBUF_INIT, all = STRBUF_INIT;

	(void)state;
	put(dir, ".dockerignore", "*\n!app.py\n!lib/\nlib/*.pyc\n");
	put(dir, "Dockerfile", "FROM x\n");
	put(dir, "app.py", "");
	put(dir, "secret.env", "");
	put(dir, "lib/a.py", "");
	put(dir, "lib/a.pyc", "");
	put(dir, ".git/config", "");
	put(dir, "docker/Dockerfile.prod", "");
	assert_int_equal(buildctx_files(&files, dir, "Dockerfile", &err), 0);
	for (size_t i = 0; i < files.nr; i++)
		strbuf_addf(&all, "%s ", files.items[i]);
	assert_string_equal(all.buf, ".dockerignore Dockerfile app.py lib/a.py ");
	strlist_release(&files);
	strbuf_reset(&all);
	/* a Dockerfile elsewhere is sent from its directory, which is otherwise excluded */
	assert_int_equal(buildctx_files(&files, dir, "./docker/Dockerfile.prod", &err), 0);
	for (size_t i = 0; i < files.nr; i++)
		strbuf_addf(&all, "%s ", files.items[i]);
	assert_string_equal(all.buf, ".dockerignore app.py docker/Dockerfile.prod lib/a.py ");
	strlist_release(&files);
	strbuf_reset(&all);
	/* no .dockerignore: everything */
	put(dir, ".dockerignore", "");
	assert_int_equal(buildctx_files(&files, dir, "Dockerfile", &err), 0);
	assert_int_equal(files.nr, 8);
	strlist_release(&files);
	scratch_free(dir);
	strbuf_release(&err);
	strbuf_release(&all);
}

/* ------------------------------------------------------------------ */
/* imageref */

static const struct {
	const char *in, *registry, *path, *tag, *error;
} ref_cases[] = {
	{ "tasks-app:3f2c1ab", "", "tasks-app", "3f2c1ab", NULL },
	{ "tasks-app", "", "tasks-app", "", NULL },
	{ "127.0.0.1:5000/tasks-app:latest", "127.0.0.1:5000", "tasks-app", "latest", NULL },
	{ "localhost/team/app", "localhost", "team/app", "", NULL },
	{ "registry.example.com/a/b_c.d-e:v1.2", "registry.example.com", "a/b_c.d-e", "v1.2", NULL },
	{ "team/app:1", "", "team/app", "1", NULL },
	{ "Tasks:1", NULL, NULL, NULL, "'Tasks:1' is not an image reference: the name must be "
	  "lowercase letters, digits and separators" },
	{ "app:-x", NULL, NULL, NULL, "'app:-x' is not an image reference: invalid tag '-x'" },
	{ "app@sha256:abc", NULL, NULL, NULL, "'app@sha256:abc' is not an image reference: name "
	  "images by tag, not digest" },
	{ "a//b", NULL, NULL, NULL, "'a//b' is not an image reference: the name must be lowercase "
	  "letters, digits and separators" },
	{ "", NULL, NULL, NULL, "'' is not an image reference: the name must be lowercase "
	  "letters, digits and separators" },
};

static void test_imageref(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ref_cases) / sizeof(ref_cases[0]); i++) {
		struct imageref r;
		struct strbuf err = STRBUF_INIT;
		int rc;

		imageref_init(&r);
		rc = imageref_parse(&r, ref_cases[i].in, &err);
		if (ref_cases[i].error) {
			assert_int_equal(rc, -1);
			assert_string_equal(err.buf, ref_cases[i].error);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(r.registry.buf, ref_cases[i].registry);
			assert_string_equal(r.path.buf, ref_cases[i].path);
			assert_string_equal(r.tag.buf, ref_cases[i].tag);
		}
		imageref_release(&r);
		strbuf_release(&err);
	}
}

static void test_imageref_format(void **state)
{
	struct imageref r;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;

	(void)state;
	imageref_init(&r);
	assert_int_equal(imageref_parse(&r, "old.example:5000/tasks-app:abc", &err), 0);
	imageref_format(&out, &r, NULL, NULL);
	assert_string_equal(out.buf, "old.example:5000/tasks-app:abc");
	strbuf_reset(&out);
	imageref_format(&out, &r, "127.0.0.1:5000", "latest");
	assert_string_equal(out.buf, "127.0.0.1:5000/tasks-app:latest");
	strbuf_reset(&out);
	imageref_format(&out, &r, "", NULL);
	assert_string_equal(out.buf, "tasks-app:abc");
	assert_true(imageref_valid_tag("v1.2_3-rc"));
	assert_false(imageref_valid_tag(".x"));
	assert_false(imageref_valid_tag("a:b"));
	imageref_release(&r);
	strbuf_release(&err);
	strbuf_release(&out);
}

/* ------------------------------------------------------------------ */
/* deployspec */

static const struct {
	const char *key, *value, *error;
} spec_errors[] = {
	{ "port", "0", "'port' must be a port number (1-65535), not '0'" },
	{ "port", "65536", "'port' must be a port number (1-65535), not '65536'" },
	{ "port", "80x", "'port' must be a port number (1-65535), not '80x'" },
	{ "health-status", "99", "'health-status' must be an HTTP status (100-599), not '99'" },
	{ "health-retries", "0", "'health-retries' must be a count (1-10000), not '0'" },
	{ "health-timeout", "-1", "'health-timeout' must be a number of seconds (above 0, at most "
	  "3600), not '-1'" },
	{ "health-interval", "soon", "'health-interval' must be a number of seconds (above 0, at "
	  "most 3600), not 'soon'" },
	{ "env", "A=1\nnot a pair", "'env' must be NAME=VALUE lines, not 'not a pair'" },
	{ "env", "1A=x", "'env' must be NAME=VALUE lines, not '1A=x'" },
	{ "secrets", "TOKEN, bad-name", "'secrets' must list variable names, not 'bad-name'" },
	{ "strategy", "bluegreen", "'strategy' must be 'candidate' or 'recreate', not 'bluegreen'" },
	{ "environment", "prod env", "'environment' must be an environment name (letters, digits, "
	  "'.', '_', '-'), not 'prod env'" },
	{ "colour", "blue", "unknown deploy setting 'colour'" },
};

static void test_deployspec_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(spec_errors) / sizeof(spec_errors[0]); i++) {
		struct deploy_spec s;
		struct strbuf err = STRBUF_INIT;

		deploy_spec_init(&s);
		assert_int_equal(deploy_spec_set(&s, spec_errors[i].key, spec_errors[i].value, &err),
				 -1);
		assert_string_equal(err.buf, spec_errors[i].error);
		deploy_spec_release(&s);
		strbuf_release(&err);
	}
}

static void test_deployspec_check(void **state)
{
	struct deploy_spec s;
	struct strbuf err = STRBUF_INIT;

	(void)state;
	deploy_spec_init(&s);
	assert_int_equal(deploy_spec_check(&s, &err), -1);
	assert_string_equal(err.buf, "'image' is required");
	strbuf_reset(&err);
	assert_int_equal(deploy_spec_set(&s, "image", "127.0.0.1:5000/tasks-app:3f2c1ab", &err), 0);
	assert_int_equal(deploy_spec_set(&s, "environment", "staging", &err), 0);
	assert_int_equal(deploy_spec_check(&s, &err), -1);
	assert_string_equal(err.buf, "'port' is required");
	strbuf_reset(&err);
	assert_int_equal(deploy_spec_set(&s, "port", "8081", &err), 0);
	assert_int_equal(deploy_spec_check(&s, &err), 0);
	/* defaults, and what check derives */
	assert_string_equal(s.name, "tasks-app-staging");
	assert_int_equal(s.container_port, 8081);
	assert_string_equal(s.address, "127.0.0.1");
	assert_string_equal(s.health.path, "/health");
	assert_int_equal(s.health.status, 200);
	assert_int_equal(s.health.timeout_ms, 2000);
	assert_int_equal(s.health.retries, 30);
	assert_int_equal(s.health.interval_ms, 1000);
	assert_int_equal(s.strategy, DEPLOY_CANDIDATE);
	assert_int_equal(deploy_spec_set(&s, "health-path", "health", &err), 0);
	assert_int_equal(deploy_spec_check(&s, &err), -1);
	assert_string_equal(err.buf, "'health-path' must start with '/', not 'health'");
	strbuf_reset(&err);
	assert_int_equal(deploy_spec_set(&s, "health-path", "/health", &err), 0);
	assert_int_equal(deploy_spec_set(&s, "name", "-bad", &err), 0);
	assert_int_equal(deploy_spec_check(&s, &err), -1);
	assert_string_equal(err.buf, "'-bad' is not a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
	deploy_spec_release(&s);
	strbuf_release(&err);
}

static void test_deployspec_roundtrip(void **state)
{
	struct deploy_spec s, back;
	struct strbuf err = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	struct arena ar = ARENA_INIT;
	static const char *const settings[][2] = {
		{ "image", "tasks-app:1" }, { "environment", "production" }, { "port", "8080" },
		{ "container-port", "8000" }, { "env", "  APP_ENV=production\n\nLOG=a=b \n" },
		{ "secrets", "API_TOKEN,\nDB_PASSWORD" }, { "health-timeout", "0.25" },
		{ "health-interval", "1.5" }, { "health-retries", "7" }, { "strategy", "recreate" },
		{ "address", "0.0.0.0" },
	};

	(void)state;
	deploy_spec_init(&s);
	deploy_spec_init(&back);
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		assert_int_equal(deploy_spec_set(&s, settings[i][0], settings[i][1], &err), 0);
	assert_int_equal(deploy_spec_check(&s, &err), 0);
	assert_int_equal(s.env.nr, 2);
	assert_string_equal(s.env.items[1], "LOG=a=b");
	assert_int_equal(s.secrets.nr, 2);
	assert_int_equal(s.health.timeout_ms, 250);
	json_write(&a, deploy_spec_to_val(&ar, &s), 0);
	assert_string_equal(a.buf, "{\"image\":\"tasks-app:1\",\"environment\":\"production\","
			    "\"name\":\"tasks-app-production\",\"address\":\"0.0.0.0\",\"port\":8080,"
			    "\"container-port\":8000,\"env\":[\"APP_ENV=production\",\"LOG=a=b\"],"
			    "\"secrets\":[\"API_TOKEN\",\"DB_PASSWORD\"],\"health-path\":\"/health\","
			    "\"health-status\":200,\"health-timeout\":0.25,\"health-retries\":7,"
			    "\"health-interval\":1.5,\"strategy\":\"recreate\"}");
	assert_int_equal(deploy_spec_from_val(&back, deploy_spec_to_val(&ar, &s), &err), 0);
	json_write(&b, deploy_spec_to_val(&ar, &back), 0);
	assert_string_equal(a.buf, b.buf);
	deploy_spec_release(&back);
	deploy_spec_init(&back);
	{
		struct val bad = val_new_object(&ar);

		val_object_setstr(&ar, bad, "port", val_bool(1));
		assert_int_equal(deploy_spec_from_val(&back, bad, &err), -1);
		assert_string_equal(err.buf, "the recorded 'port' is a Boolean");
	}
	deploy_spec_release(&s);
	deploy_spec_release(&back);
	arena_release(&ar);
	strbuf_release(&err);
	strbuf_release(&a);
	strbuf_release(&b);
}

/* ------------------------------------------------------------------ */
/* deployrec */

static struct val entry(struct deployrec *r, const char *image, const char *result)
{
	struct val e = val_new_object(&r->arena);

	val_object_setstr(&r->arena, e, "image", val_cstring(&r->arena, image));
	val_object_setstr(&r->arena, e, "result", val_cstring(&r->arena, result));
	return e;
}

static const char *image_of(const struct val *e)
{
	const struct val *v = e ? val_object_getstr(*e, "image") : NULL;

	return v ? v->u.string.ptr : "(none)";
}

static void test_deployrec(void **state)
{
	char *dir = scratch_new();
	struct deployrec r;
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	struct strlist envs = STRLIST_INIT;

	(void)state;
	assert_int_equal(deployrec_open(&r, dir, "staging", 1, &err), 0);
	assert_null(deployrec_current(&r));
	assert_int_equal(deployrec_history(&r).u.array->nr, 0);
	assert_int_equal(deployrec_add(&r, entry(&r, "app:1", "success"), &err), 0);
	assert_int_equal(deployrec_add(&r, entry(&r, "app:2", "failed"), &err), 0);
	assert_string_equal(image_of(deployrec_current(&r)), "app:1");
	assert_null(deployrec_previous(&r));
	assert_int_equal(deployrec_add(&r, entry(&r, "app:3", "success"), &err), 0);
	deployrec_release(&r);

	/* read back: a failure changes neither current nor previous */
	assert_int_equal(deployrec_open(&r, dir, "staging", 0, &err), 0);
	assert_string_equal(image_of(deployrec_current(&r)), "app:3");
	assert_string_equal(image_of(deployrec_previous(&r)), "app:1");
	assert_int_equal(deployrec_history(&r).u.array->nr, 3);
	assert_string_equal(image_of(&deployrec_history(&r).u.array->items[1]), "app:2");
	for (int i = 0; i < DEPLOYREC_HISTORY_MAX + 5; i++)
		assert_int_equal(deployrec_add(&r, entry(&r, "app:n", "failed"), &err), 0);
	assert_int_equal(deployrec_history(&r).u.array->nr, DEPLOYREC_HISTORY_MAX);
	assert_string_equal(image_of(deployrec_current(&r)), "app:3");
	deployrec_release(&r);

	assert_int_equal(deployrec_open(&r, dir, "production", 1, &err), 0);
	assert_int_equal(deployrec_add(&r, entry(&r, "app:3", "success"), &err), 0);
	deployrec_release(&r);
	assert_int_equal(deployrec_environments(&envs, dir, &err), 0);
	assert_int_equal(envs.nr, 2);
	assert_string_equal(envs.items[0], "production");
	assert_string_equal(envs.items[1], "staging");

	/* bad names and bad files */
	assert_int_equal(deployrec_open(&r, dir, "../etc", 0, &err), -1);
	assert_string_equal(err.buf, "'../etc' is not an environment name (letters, digits, '.', "
			    "'_', '-')");
	deployrec_release(&r);
	strbuf_reset(&err);
	deployrec_path(&path, dir, "broken");
	put(dir, "deployments/broken.json", "[1, 2]");
	assert_int_equal(deployrec_open(&r, dir, "broken", 0, &err), -1);
	assert_true(strstr(err.buf, "is not a deployment record") != NULL);
	deployrec_release(&r);
	strlist_release(&envs);
	scratch_free(dir);
	strbuf_release(&err);
	strbuf_release(&path);
}

/* ------------------------------------------------------------------ */
/* probe */

/* A server on 127.0.0.1 answering each connection with answer (NULL: never). */
static pid_t serve(int *port, const char *answer)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;) {
			int c = accept(fd, NULL, NULL);
			char buf[1024];

			if (c < 0)
				_exit(0);
			if (read(c, buf, sizeof(buf)) > 0 && answer &&
			    write(c, answer, strlen(answer)) < 0)
				_exit(1);
			if (answer)
				close(c);
		}
	}
	close(fd);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_probe(void **state)
{
	struct strbuf body = STRBUF_INIT, err = STRBUF_INIT;
	int port, status = 0;
	pid_t pid;
	struct timespec t0, t1;

	(void)state;
	pid = serve(&port, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 19\r\n\r\n"
		    "{\"status\": \"down\"}\n");
	assert_int_equal(probe_http_get(&status, &body, "127.0.0.1", port, "/health", 2000, &err), 0);
	assert_int_equal(status, 503);
	assert_string_equal(body.buf, "{\"status\": \"down\"}\n");
	reap(pid);

	pid = serve(&port, "SSH-2.0-OpenSSH\r\n");
	assert_int_equal(probe_http_get(&status, NULL, "localhost", port, "/", 2000, &err), -1);
	assert_true(strstr(err.buf, "did not answer in HTTP") != NULL);
	reap(pid);

	/* nobody listens there any more */
	strbuf_reset(&err);
	assert_int_equal(probe_http_get(&status, NULL, "127.0.0.1", port, "/", 2000, &err), -1);
	assert_true(strstr(err.buf, "cannot connect to 127.0.0.1:") != NULL);
	assert_true(strstr(err.buf, "connection refused") != NULL);

	/* a server that accepts and never answers: the deadline holds */
	pid = serve(&port, NULL);
	strbuf_reset(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(probe_http_get(&status, NULL, "127.0.0.1", port, "/", 300, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	assert_true(strstr(err.buf, "within 300 ms") != NULL);
	reap(pid);

	strbuf_reset(&err);
	assert_int_equal(probe_http_get(&status, NULL, "no-such-host.invalid", 80, "/", 500, &err),
			 -1);
	assert_true(strstr(err.buf, "cannot resolve 'no-such-host.invalid'") != NULL);
	strbuf_release(&body);
	strbuf_release(&err);
}

/* ------------------------------------------------------------------ */
/* stages through stage_main */

/*
 * Run a stage with the given "K=V" variables (plus a workspace and file
 * commands under dir); its stdout in *log. Returns its exit status.
 */
static int run_stage(const char *dir, const char *name, const char *const *vars,
		     struct strbuf *log)
{
	struct strlist env = STRLIST_INIT;
	struct strbuf path = STRBUF_INIT;
	int saved = dup(STDOUT_FILENO), fd, rc;
	static const char *const files[] = { "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV",
					     "GITHUB_PATH", "GITHUB_STATE" };

	strlist_pushf(&env, "GITHUB_WORKSPACE=%s/ws", dir);
	strlist_pushf(&env, "RUNNER_TEMP=%s", dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		strlist_pushf(&env, "%s=%s/%s", files[i], dir, files[i]);
	for (; *vars; vars++)
		strlist_push(&env, *vars);
	strbuf_addf(&path, "%s/stdout", dir);
	fflush(stdout);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	rc = stage_main(name, 0, env.items);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	strbuf_reset(log);
	assert_true(strbuf_read_file(log, path.buf, 0) >= 0);
	strlist_release(&env);
	strbuf_release(&path);
	return rc;
}

static void test_stage_scan(void **state)
{
	char *dir = scratch_new();
	struct strbuf log = STRBUF_INIT, out = STRBUF_INIT, p = STRBUF_INIT;
	const char *const none[] = { NULL };
	const char *const lenient[] = { "INPUT_FAIL-ON-FINDINGS=false", NULL };

	(void)state;
	put(dir, "ws/app.py", "print('hello')\n");
	assert_int_equal(run_stage(dir, "slipway/scan", none, &log), 0);
	assert_true(strstr(log.buf, "1 files scanned, 0 skipped, 0 findings") != NULL);
	/* a made-up key id, in two pieces so that Slipway's own tree scans clean */
	put(dir, "ws/conf/keys.txt", "aws_key = AKIA" "IOSFODNN7EXAMPLF\n");
	assert_int_equal(run_stage(dir, "slipway/scan", none, &log), 1);
	assert_true(strstr(log.buf, "::error file=conf/keys.txt,line=1,col=11::") != NULL);
	assert_null(strstr(log.buf, "AKIA" "IOSFODNN7EXAMPLF"));
	assert_true(strstr(log.buf, "::error::slipway/scan: 1 finding\n") != NULL);
	strbuf_addf(&p, "%s/GITHUB_OUTPUT", dir);
	assert_true(strbuf_read_file(&out, p.buf, 0) >= 0);
	assert_true(strstr(out.buf, "findings") != NULL);
	assert_int_equal(run_stage(dir, "slipway/scan", lenient, &log), 0);
	scratch_free(dir);
	strbuf_release(&log);
	strbuf_release(&out);
	strbuf_release(&p);
}

static void test_stage_deploy_inputs(void **state)
{
	char *dir = scratch_new();
	struct strbuf log = STRBUF_INIT;
	const char *const no_port[] = { "INPUT_IMAGE=app:1", "INPUT_ENVIRONMENT=staging", NULL };
	const char *const bad_port[] = { "INPUT_IMAGE=app:1", "INPUT_ENVIRONMENT=staging",
					 "INPUT_PORT=http", NULL };
	const char *const no_secret[] = { "INPUT_IMAGE=app:1", "INPUT_ENVIRONMENT=staging",
					  "INPUT_PORT=8081", "INPUT_SECRETS=API_TOKEN", NULL };

	(void)state;
	put(dir, "ws/.keep", "");
	assert_int_equal(run_stage(dir, "slipway/deploy", no_port, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/deploy: 'port' is required\n");
	assert_int_equal(run_stage(dir, "slipway/deploy", bad_port, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/deploy: 'port' must be a port number "
			    "(1-65535), not 'http'\n");
	assert_int_equal(run_stage(dir, "slipway/deploy", no_secret, &log), 1);
	assert_string_equal(log.buf, "::error::secret 'API_TOKEN' is empty: map it into the step's "
			    "environment (env: API_TOKEN: ${{ secrets.API_TOKEN }})\n");
	scratch_free(dir);
	strbuf_release(&log);
}

static void test_stage_build_publish_inputs(void **state)
{
	char *dir = scratch_new();
	struct strbuf log = STRBUF_INIT;
	const char *const none[] = { NULL };
	const char *const bad_tag[] = { "INPUT_IMAGE=app", "INPUT_TAGS=ok\n:bad", NULL };
	const char *const bad_args[] = { "INPUT_IMAGE=app", "INPUT_BUILD-ARGS=NOEQUALS", NULL };
	const char *const bad_image[] = { "INPUT_IMAGE=App", NULL };

	(void)state;
	put(dir, "ws/Dockerfile", "FROM scratch\n");
	assert_int_equal(run_stage(dir, "slipway/build", none, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/build: 'image' is required (the repository "
			    "name, e.g. tasks-app)\n");
	assert_int_equal(run_stage(dir, "slipway/build", bad_tag, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/build: ':bad' is not a tag\n");
	assert_int_equal(run_stage(dir, "slipway/build", bad_args, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/build: 'build-args' must be NAME=value "
			    "lines, not 'NOEQUALS'\n");
	assert_int_equal(run_stage(dir, "slipway/publish", none, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/publish: 'image' is required (the tag "
			    "slipway/build made)\n");
	assert_int_equal(run_stage(dir, "slipway/publish", bad_image, &log), 1);
	assert_string_equal(log.buf, "::error::slipway/publish: 'App' is not an image reference: "
			    "the name must be lowercase letters, digits and separators\n");
	scratch_free(dir);
	strbuf_release(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buildctx_rules),
		cmocka_unit_test(test_buildctx_bad_pattern),
		cmocka_unit_test(test_buildctx_files),
		cmocka_unit_test(test_imageref),
		cmocka_unit_test(test_imageref_format),
		cmocka_unit_test(test_deployspec_errors),
		cmocka_unit_test(test_deployspec_check),
		cmocka_unit_test(test_deployspec_roundtrip),
		cmocka_unit_test(test_deployrec),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_stage_scan),
		cmocka_unit_test(test_stage_deploy_inputs),
		cmocka_unit_test(test_stage_build_publish_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
