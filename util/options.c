/*
 * options: table-driven argv parsing and help output.
 */
#include "util/options.h"
#include "util/strlist.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct option *options_find_long(const struct option *opts, const char *name,
					      size_t len)
{
	for (; opts->type != OPT_END; opts++)
		if (opts->long_name && strlen(opts->long_name) == len &&
		    !strncmp(opts->long_name, name, len))
			return opts;
	return NULL;
}

static const struct option *options_find_short(const struct option *opts, int c)
{
	for (; opts->type != OPT_END; opts++)
		if (opts->short_name == c)
			return opts;
	return NULL;
}

static int options_set(const struct option *o, const char *arg, const char *spelled,
		       struct strbuf *err)
{
	char *end;
	long n;

	switch (o->type) {
	case OPT_FLAG:
		*(int *)o->value = 1;
		return 0;
	case OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_LIST:
		strlist_push(o->value, arg);
		return 0;
	case OPT_INT:
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno || end == arg || *end || n < INT_MIN || n > INT_MAX) {
			strbuf_addf(err, "option '%s' expects a number, not '%s'", spelled, arg);
			return -1;
		}
		*(int *)o->value = (int)n;
		return 0;
	default:
		return -1;
	}
}

int options_parse(int argc, const char **argv, const struct option *opts, struct strbuf *err)
{
	int nargs = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option *o;
		const char *arg = NULL;
		char spelled[64];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1]) {
			argv[nargs++] = a;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return OPTIONS_HELP;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = options_find_long(opts, a + 2, len);
			snprintf(spelled, sizeof(spelled), "--%.*s", (int)len, a + 2);
			if (!o) {
				strbuf_addf(err, "unknown option '%s'", spelled);
				return -1;
			}
			if (eq) {
				if (o->type == OPT_FLAG) {
					strbuf_addf(err, "option '%s' takes no value", spelled);
					return -1;
				}
				arg = eq + 1;
			}
		} else {
			o = options_find_short(opts, a[1]);
			snprintf(spelled, sizeof(spelled), "-%c", a[1]);
			if (!o) {
				strbuf_addf(err, "unknown option '%s'", spelled);
				return -1;
			}
			if (a[2]) {
				if (o->type == OPT_FLAG) {
					strbuf_addf(err, "option '%s' takes no value", spelled);
					return -1;
				}
				arg = a + 2;
			}
		}
		if (o->type != OPT_FLAG && !arg) {
			if (i + 1 >= argc) {
				strbuf_addf(err, "option '%s' needs a value", spelled);
				return -1;
			}
			arg = argv[++i];
		}
		if (options_set(o, arg, spelled, err) < 0)
			return -1;
	}
	for (; i < argc; i++)
		argv[nargs++] = argv[i];
	return nargs;
}

void options_usage(FILE *fp, const char *usage, const struct option *opts)
{
	fprintf(fp, "usage: %s\n", usage);
	if (opts->type != OPT_END)
		fputc('\n', fp);
	for (; opts->type != OPT_END; opts++) {
		char left[96];
		int n = 0;

		if (opts->short_name && opts->long_name)
			n = snprintf(left, sizeof(left), "-%c, --%s", opts->short_name,
				     opts->long_name);
		else if (opts->short_name)
			n = snprintf(left, sizeof(left), "-%c", opts->short_name);
		else
			n = snprintf(left, sizeof(left), "    --%s", opts->long_name);
		if (opts->type != OPT_FLAG && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s",
				 opts->argh ? opts->argh : "VALUE");
		fprintf(fp, "    %-28s %s\n", left, opts->help);
	}
}
