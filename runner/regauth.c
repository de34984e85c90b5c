/*
 * regauth: a job's registry credentials in memory — kept, dropped, and
 * written as the JSON its later stages read. Passwords are overwritten
 * before their memory is freed. No files, no logging.
 */
#include "runner/regauth.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/xalloc.h"

static void regauth_free(struct regauth_entry *e)
{
	memset(e->password, 0, strlen(e->password));
	free(e->server);
	free(e->username);
	free(e->password);
}

void regauth_set(struct regauth *r, const char *server, const char *username,
		 const char *password)
{
	struct regauth_entry *e;

	regauth_drop(r, server);
	ALLOC_GROW(r->items, r->nr + 1, r->alloc);
	e = &r->items[r->nr++];
	e->server = xstrdup(server);
	e->username = xstrdup(username);
	e->password = xstrdup(password);
}

int regauth_drop(struct regauth *r, const char *server)
{
	for (size_t i = 0; i < r->nr; i++) {
		if (strcmp(r->items[i].server, server))
			continue;
		regauth_free(&r->items[i]);
		r->items[i] = r->items[--r->nr];
		return 1;
	}
	return 0;
}

void regauth_json(const struct regauth *r, struct strbuf *out)
{
	strbuf_addch(out, '{');
	for (size_t i = 0; i < r->nr; i++) {
		const struct regauth_entry *e = &r->items[i];

		if (i)
			strbuf_addch(out, ',');
		json_write_string(out, e->server, strlen(e->server));
		strbuf_addstr(out, ":{\"username\":");
		json_write_string(out, e->username, strlen(e->username));
		strbuf_addstr(out, ",\"password\":");
		json_write_string(out, e->password, strlen(e->password));
		strbuf_addch(out, '}');
	}
	strbuf_addch(out, '}');
}

void regauth_release(struct regauth *r)
{
	while (r->nr)
		regauth_free(&r->items[--r->nr]);
	free(r->items);
	r->items = NULL;
	r->alloc = 0;
}
