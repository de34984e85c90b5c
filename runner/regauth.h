/*
 * regauth: the registry credentials a job's built-in stages handed to the
 * runner (::slipway-registry-login::, see runner/wfcmd.h), kept in the
 * job's memory by server, and their form for the job's later stages
 * (STAGE_REGISTRY_AUTHS_VAR, see stages/stage.h). Never written to a file.
 * Parsing the commands is wfcmd.c's; masking the passwords the caller's.
 */
#ifndef RUNNER_REGAUTH_H
#define RUNNER_REGAUTH_H

#include <stddef.h>

#include "util/strbuf.h"

struct regauth_entry {
	char *server, *username, *password;     /* malloc'd, owned by the regauth */
};

struct regauth {
	struct regauth_entry *items;
	size_t nr, alloc;
};

#define REGAUTH_INIT { NULL, 0, 0 }

/* Keep (or replace) server's credentials; the strings are copied. */
void regauth_set(struct regauth *r, const char *server, const char *username,
		 const char *password);
/* Drop server's credentials: 1 when there were some, 0 when not. */
int regauth_drop(struct regauth *r, const char *server);

/*
 * Append the credentials as one JSON object, {"SERVER": {"username": U,
 * "password": P}, ...} ("{}" when none). The caller wipes out when done.
 */
void regauth_json(const struct regauth *r, struct strbuf *out);

/* Drop everything (passwords are overwritten before they are freed). */
void regauth_release(struct regauth *r);

#endif
