/*
 * json: the one place that speaks to jansson, plus our JSON writer.
 */
#include "util/json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

static struct val json_to_val(struct arena *a, json_t *j)
{
	struct val v;
	const char *key;
	json_t *item;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v = val_new_object(a);
		json_object_foreach(j, key, item)
			val_object_setstr(a, v, key, json_to_val(a, item));
		return v;
	case JSON_ARRAY:
		v = val_new_array(a);
		json_array_foreach(j, i, item)
			val_array_push(a, v, json_to_val(a, item));
		return v;
	case JSON_STRING:
		return val_string(a, json_string_value(j), json_string_length(j));
	case JSON_INTEGER:
		return val_number((double)json_integer_value(j));
	case JSON_REAL:
		return val_number(json_real_value(j));
	case JSON_TRUE:
		return val_bool(1);
	case JSON_FALSE:
		return val_bool(0);
	default:
		return val_null();
	}
}

int json_parse(struct val *out, struct arena *a, const char *text, size_t len,
	       struct strbuf *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(text, len,
			       JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL,
			       &jerr);

	if (!j) {
		strbuf_addf(err, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
		return -1;
	}
	*out = json_to_val(a, j);
	json_decref(j);
	return 0;
}

int json_parse_file(struct val *out, struct arena *a, const char *path, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret = -1;

	if (strbuf_read_file(&text, path, 256u << 20) < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (json_parse(out, a, text.buf, text.len, err) < 0) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "%s: invalid JSON at %s", path, err->buf);
		strbuf_reset(err);
		strbuf_add(err, msg.buf, msg.len);
		strbuf_release(&msg);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&text);
	return ret;
}

void json_write_string(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	strbuf_grow(sb, len + 2);
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': strbuf_addstr(sb, "\\\""); break;
		case '\\': strbuf_addstr(sb, "\\\\"); break;
		case '\n': strbuf_addstr(sb, "\\n"); break;
		case '\r': strbuf_addstr(sb, "\\r"); break;
		case '\t': strbuf_addstr(sb, "\\t"); break;
		case '\b': strbuf_addstr(sb, "\\b"); break;
		case '\f': strbuf_addstr(sb, "\\f"); break;
		default:
			if (c < 0x20) {
				strbuf_addstr(sb, "\\u00");
				strbuf_addch(sb, hex[c >> 4]);
				strbuf_addch(sb, hex[c & 15]);
			} else {
				strbuf_addch(sb, (char)c);
			}
		}
	}
	strbuf_addch(sb, '"');
}

static void json_indent(struct strbuf *sb, unsigned flags, int depth)
{
	if (!(flags & JSON_PRETTY))
		return;
	strbuf_addch(sb, '\n');
	strbuf_addchars(sb, ' ', (size_t)depth * 2);
}

static void json_write_at(struct strbuf *sb, struct val v, unsigned flags, int depth)
{
	switch (v.kind) {
	case VAL_NULL:
		strbuf_addstr(sb, "null");
		break;
	case VAL_BOOL:
		strbuf_addstr(sb, v.u.boolean ? "true" : "false");
		break;
	case VAL_NUMBER:
		if (isfinite(v.u.number))
			val_format_number(sb, v.u.number);
		else
			strbuf_addstr(sb, "null");
		break;
	case VAL_STRING:
		json_write_string(sb, v.u.string.ptr, v.u.string.len);
		break;
	case VAL_ARRAY:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < v.u.array->nr; i++) {
			if (i)
				strbuf_addch(sb, ',');
			json_indent(sb, flags, depth + 1);
			json_write_at(sb, v.u.array->items[i], flags, depth + 1);
		}
		if (v.u.array->nr)
			json_indent(sb, flags, depth);
		strbuf_addch(sb, ']');
		break;
	case VAL_OBJECT:
		strbuf_addch(sb, '{');
		for (size_t i = 0; i < v.u.object->nr; i++) {
			struct val_member *m = &v.u.object->members[i];

			if (i)
				strbuf_addch(sb, ',');
			json_indent(sb, flags, depth + 1);
			json_write_string(sb, m->key, m->key_len);
			strbuf_addstr(sb, (flags & JSON_PRETTY) ? ": " : ":");
			json_write_at(sb, m->value, flags, depth + 1);
		}
		if (v.u.object->nr)
			json_indent(sb, flags, depth);
		strbuf_addch(sb, '}');
		break;
	}
}

void json_write(struct strbuf *sb, struct val v, unsigned flags)
{
	json_write_at(sb, v, flags, 0);
}
