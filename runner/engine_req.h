/*
 * engine_req: requests to the Docker engine, the private interface between
 * engine.c (connection, HTTP, error mapping), engine_stream.c (decoding
 * streamed answers) and the engine_*.c files that build each API call. Nothing outside runner/engine*
 * includes it; everyone else uses engine.h.
 */
#ifndef RUNNER_ENGINE_REQ_H
#define RUNNER_ENGINE_REQ_H

#include "runner/engine.h"

/* Pulls, pushes and archives move bytes steadily; two minutes of nothing is a dead peer. */
#define ENGINE_STALL_S 120L

/*
 * Consumes a 2xx response body as it arrives: 0, or a negative enum
 * engine_error (with the reason in why) to stop the call.
 */
typedef int engine_sink_fn(void *data, const char *buf, size_t len, struct strbuf *why);

struct engine_req {
	const char *method;
	struct strbuf path;                 /* below the version prefix, escaped (engine_pathf) */
	int unversioned;                    /* no /vX.Y prefix (the version probe) */
	const struct val *json;             /* a JSON body, or NULL */
	const struct engine_body *body;     /* a raw body (tar), or NULL */
	const char *content_type;           /* of the raw body */
	const struct engine_auth *auth;     /* sent as X-Registry-Auth when set */
	int send_auth;                      /* send X-Registry-Auth even without auth ("{}") */
	int stream;                         /* bounded by the stream timeout, not the call one */
	long extra_ms;                      /* added to the call timeout (a stop's grace time) */
	long low_speed_s;                   /* fail when nothing moves for this long; 0: never */
	const char *image;                  /* the image a 404 "no such image" is about */
	engine_sink_fn *sink;               /* NULL: the body is collected in resp */
	void *sink_data;
	/* filled in by engine_do */
	long status;
	struct strbuf resp;                 /* the body (capped), or an error body */
	int sink_error;                     /* what a failing sink returned */
	struct strbuf sink_msg;             /* and why */
	int read_failed, too_big;
};

void engine_req_init(struct engine_req *r, const char *method);
void engine_req_release(struct engine_req *r);

/*
 * Append to sb as printf would, for a path and query: each %s argument is
 * percent-escaped (except / : @), %d is an int, %% a percent sign.
 */
void engine_pathf(struct strbuf *sb, const char *fmt, ...);

/*
 * Perform r. On failure, err gets "WHAT: reason" (WHAT from the format;
 * a NULL format gives the reason alone), and the result says what kind:
 * ENGINE_EUNREACHABLE for transport trouble, ENGINE_ENOIMAGE (with the
 * standard message, no WHAT) and ENGINE_ENOTFOUND for 404s, ENGINE_ERR
 * for other HTTP errors. 304 (nothing to do) counts as success.
 */
int engine_do(struct engine *e, struct engine_req *r, struct strbuf *err, const char *what, ...)
	__attribute__((format(printf, 4, 5)));

/* engine_do, then the answer as JSON (empty: null) into *out in arena a. */
int engine_do_json(struct val *out, struct arena *a, struct engine *e, struct engine_req *r,
		   struct strbuf *err, const char *what, ...)
	__attribute__((format(printf, 6, 7)));
/* engine_do, then the answer's "Id" appended to out. */
int engine_do_id(struct strbuf *out, struct engine *e, struct engine_req *r, struct strbuf *err,
		 const char *what, ...)
	__attribute__((format(printf, 5, 6)));

/* Append the engine's text, its capital first letter lowered ("No such" → "no such"). */
void engine_add_reason(struct strbuf *err, const char *text, size_t len);

/* The standard message of ENGINE_ENOIMAGE. */
void engine_no_image(struct strbuf *err, const char *image);

/* Sleep ms milliseconds; ENGINE_ECANCELLED (and a message) if the cancel flag is up. */
int engine_pause(struct engine *e, long ms, struct strbuf *err);

/* Values for request bodies, in arena a. */
/* An array of strings; NULL list: NULL (the caller leaves the member out). */
int engine_set_strlist(struct arena *a, struct val obj, const char *key,
		       const struct strlist *list);
void engine_set_string(struct arena *a, struct val obj, const char *key, const char *s);
/* "key=value" entries (and the run label) as an object. */
struct val engine_labels(struct arena *a, const struct engine *e, const struct strlist *labels);
/*
 * GET a list: path (ending in "filters=") with the filter {"<kind>":
 * [value]} appended ("label", "reference"); *list is the answer's array
 * (or its object member `member`'s), and out has a zeroed item for each of
 * its entries, for the caller to fill. what: "containers", for messages.
 */
int engine_list_get(struct engine_list *out, const struct val **list, struct arena *a,
		    struct engine *e, const char *path, const char *kind, const char *value,
		    const char *member, const char *what, struct strbuf *err);
/* Split "repo[:tag]" (the tag is after the last ':' that follows the last '/'). */
void engine_split_tag(struct strbuf *repo, struct strbuf *tag, const char *name);

/* Reading answers: NULL / 0 when absent or of another kind. */
const char *engine_get_str(struct val obj, const char *key);
double engine_get_num(struct val obj, const char *key);

/*
 * The multiplexed stdout/stderr stream of exec and logs: 8-byte headers
 * (stream, 0, 0, 0, big-endian length) before each frame; a tty's stream
 * is raw. engine_demux_feed is an engine_sink_fn.
 */
struct engine_demux {
	engine_output_fn *fn;
	void *data;
	int tty;
	unsigned char hdr[8];
	size_t have;                        /* header bytes seen of the next frame */
	size_t left;                        /* bytes left in the current frame */
	enum engine_stream stream;
};

void engine_demux_init(struct engine_demux *d, int tty, engine_output_fn *fn, void *data);
int engine_demux_feed(void *data, const char *buf, size_t len, struct strbuf *why);
/* 0 when the stream ended on a frame boundary, else -1 (the engine went away). */
int engine_demux_finish(const struct engine_demux *d);

/*
 * The JSON-lines progress of build, pull and push: each line's "stream"
 * text (split into lines) or "status" goes to fn; the first "error" is
 * kept; aux.ID and aux.Digest are kept. engine_progress_feed is an
 * engine_sink_fn.
 */
struct engine_progress {
	engine_line_fn *fn;
	void *data;
	struct strbuf line;                 /* a JSON line not yet complete */
	struct strbuf text;                 /* "stream" text not yet a full line */
	struct strbuf error;                /* the first error reported */
	struct strbuf id;                   /* aux.ID (build) */
	struct strbuf digest;               /* aux.Digest (push) */
	struct strbuf last;                 /* the last output line (for "Successfully built") */
	struct arena scratch;
};

void engine_progress_init(struct engine_progress *p, engine_line_fn *fn, void *data);
int engine_progress_feed(void *data, const char *buf, size_t len, struct strbuf *why);
/* Flush what is left after the stream ended. */
void engine_progress_finish(struct engine_progress *p);
void engine_progress_release(struct engine_progress *p);

#endif
