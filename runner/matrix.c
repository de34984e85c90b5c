/*
 * matrix: expansion of an evaluated `strategy.matrix` value into legs with
 * GitHub's include/exclude rules, --matrix narrowing and leg display
 * values. It evaluates no YAML and knows nothing of jobs.
 */
#include "runner/matrix.h"

#include <string.h>

#include "util/json.h"

/* What a value is called in messages (YAML's words, as the user wrote it). */
static const char *matrix_kind_name(enum val_kind k)
{
	static const char *const names[] = {
		[VAL_NULL] = "null", [VAL_BOOL] = "a boolean", [VAL_NUMBER] = "a number",
		[VAL_STRING] = "a string", [VAL_ARRAY] = "a sequence", [VAL_OBJECT] = "a mapping",
	};
	return names[k];
}

static int matrix_is_filter_key(const struct val_member *m)
{
	return !strcmp(m->key, "include") || !strcmp(m->key, "exclude");
}

/* Check that the include/exclude member v is a sequence of mappings. */
static int matrix_check_filter(struct val v, const char *name, struct strbuf *err)
{
	if (v.kind != VAL_ARRAY) {
		strbuf_addf(err, "matrix '%s' must be a sequence of mappings, not %s", name,
			    matrix_kind_name(v.kind));
		return -1;
	}
	for (size_t i = 0; i < v.u.array->nr; i++) {
		if (v.u.array->items[i].kind != VAL_OBJECT) {
			strbuf_addf(err, "matrix '%s' entry %zu must be a mapping, not %s", name,
				    i + 1, matrix_kind_name(v.u.array->items[i].kind));
			return -1;
		}
	}
	return 0;
}

/* Does leg hold every key/value pair of filter? */
static int matrix_leg_has_all(struct val leg, struct val filter)
{
	for (size_t i = 0; i < filter.u.object->nr; i++) {
		const struct val_member *m = &filter.u.object->members[i];
		struct val *v = val_object_get(leg, m->key, m->key_len);

		if (!v || !val_equal(*v, m->value))
			return 0;
	}
	return 1;
}

/* May include entry inc be merged into leg (no original vector value contradicted)? */
static int matrix_include_fits(struct val leg, struct val inc, struct val vectors)
{
	for (size_t i = 0; i < inc.u.object->nr; i++) {
		const struct val_member *m = &inc.u.object->members[i];
		struct val *v;

		if (!val_object_get(vectors, m->key, m->key_len))
			continue;
		v = val_object_get(leg, m->key, m->key_len);
		if (!v || !val_equal(*v, m->value))
			return 0;
	}
	return 1;
}

static struct val matrix_copy_object(struct arena *a, struct val o)
{
	struct val out = val_new_object(a);

	for (size_t i = 0; i < o.u.object->nr; i++)
		val_object_set(a, out, o.u.object->members[i].key, o.u.object->members[i].key_len,
			       o.u.object->members[i].value);
	return out;
}

/* The vectors' product into legs (an array of objects); vectors holds only vector keys. */
static void matrix_product(struct arena *a, struct val legs, struct val vectors)
{
	size_t n = vectors.u.object->nr, total = 1;

	if (!n)
		return;
	for (size_t k = 0; k < n; k++)
		total *= vectors.u.object->members[k].value.u.array->nr;
	for (size_t idx = 0; idx < total; idx++) {
		struct val leg = val_new_object(a);
		size_t rest = idx, stride = total;

		for (size_t k = 0; k < n; k++) {
			const struct val_member *m = &vectors.u.object->members[k];
			size_t nr = m->value.u.array->nr;

			stride /= nr;
			val_object_set(a, leg, m->key, m->key_len,
				       m->value.u.array->items[rest / stride]);
			rest %= stride;
		}
		val_array_push(a, legs, leg);
	}
}

int matrix_expand(struct val *out, struct arena *a, struct val m, struct strbuf *err)
{
	struct val vectors, legs, include = val_null(), exclude = val_null();
	size_t product = 1;

	if (m.kind != VAL_OBJECT) {
		strbuf_addf(err, "a matrix must be a mapping, not %s", matrix_kind_name(m.kind));
		return -1;
	}
	vectors = val_new_object(a);
	for (size_t i = 0; i < m.u.object->nr; i++) {
		const struct val_member *mm = &m.u.object->members[i];

		if (matrix_is_filter_key(mm)) {
			if (matrix_check_filter(mm->value, mm->key, err) < 0)
				return -1;
			*(mm->key[0] == 'i' ? &include : &exclude) = mm->value;
			continue;
		}
		if (mm->value.kind != VAL_ARRAY) {
			strbuf_addf(err, "matrix vector '%s' must be a sequence, not %s", mm->key,
				    matrix_kind_name(mm->value.kind));
			return -1;
		}
		if (!mm->value.u.array->nr) {
			strbuf_addf(err, "matrix vector '%s' has no values", mm->key);
			return -1;
		}
		product *= mm->value.u.array->nr;
		if (product > 65536) {
			strbuf_addf(err, "matrix has more than %d combinations", MATRIX_MAX_LEGS);
			return -1;
		}
		val_object_set(a, vectors, mm->key, mm->key_len, mm->value);
	}
	legs = val_new_array(a);
	matrix_product(a, legs, vectors);
	if (exclude.kind == VAL_ARRAY) {
		struct val_array *arr = legs.u.array;
		size_t keep = 0;

		for (size_t i = 0; i < arr->nr; i++) {
			int drop = 0;

			for (size_t e = 0; e < exclude.u.array->nr && !drop; e++)
				drop = matrix_leg_has_all(arr->items[i], exclude.u.array->items[e]);
			if (!drop)
				arr->items[keep++] = arr->items[i];
		}
		arr->nr = keep;
	}
	if (include.kind == VAL_ARRAY) {
		size_t original = legs.u.array->nr;

		for (size_t e = 0; e < include.u.array->nr; e++) {
			struct val inc = include.u.array->items[e];
			int merged = 0;

			for (size_t i = 0; i < original; i++) {
				struct val leg = legs.u.array->items[i];

				if (!matrix_include_fits(leg, inc, vectors))
					continue;
				for (size_t k = 0; k < inc.u.object->nr; k++)
					val_object_set(a, leg, inc.u.object->members[k].key,
						       inc.u.object->members[k].key_len,
						       inc.u.object->members[k].value);
				merged = 1;
			}
			if (!merged)
				val_array_push(a, legs, matrix_copy_object(a, inc));
		}
	}
	if (!legs.u.array->nr) {
		strbuf_addstr(err, vectors.u.object->nr
			      ? "matrix has no combination left after 'exclude'"
			      : "matrix has no vector and no 'include' entry");
		return -1;
	}
	if (legs.u.array->nr > MATRIX_MAX_LEGS) {
		strbuf_addf(err, "matrix has %zu combinations, more than the %d allowed",
			    legs.u.array->nr, MATRIX_MAX_LEGS);
		return -1;
	}
	*out = legs;
	return 0;
}

/* Append v as a matrix value reads in text. */
static void matrix_format_value(struct strbuf *out, struct val v)
{
	switch (v.kind) {
	case VAL_STRING:
		strbuf_add(out, v.u.string.ptr, v.u.string.len);
		break;
	case VAL_NUMBER:
		val_format_number(out, v.u.number);
		break;
	default:
		json_write(out, v, 0);
		break;
	}
}

void matrix_format_values(struct strbuf *out, struct val leg)
{
	size_t start = out->len;

	if (leg.kind != VAL_OBJECT)
		return;
	for (size_t i = 0; i < leg.u.object->nr; i++) {
		struct val v = leg.u.object->members[i].value;

		if (v.kind == VAL_NULL || (v.kind == VAL_STRING && !v.u.string.len))
			continue;
		if (out->len > start)
			strbuf_addstr(out, ", ");
		matrix_format_value(out, v);
	}
}

/* Does leg pass the filters for key (every "KEY:VALUE" with this key)? */
static int matrix_leg_passes(struct val leg, const struct strlist *filters, const char *key,
			     size_t key_len)
{
	struct val *v = val_object_get(leg, key, key_len);
	struct strbuf text = STRBUF_INIT;
	int pass = 0;

	if (!v)
		return 1;
	matrix_format_value(&text, *v);
	for (size_t f = 0; f < filters->nr && !pass; f++) {
		const char *colon = strchr(filters->items[f], ':');

		pass = (size_t)(colon - filters->items[f]) == key_len &&
		       !strncmp(filters->items[f], key, key_len) && !strcmp(colon + 1, text.buf);
	}
	strbuf_release(&text);
	return pass;
}

int matrix_narrow(struct val legs, const struct strlist *filters, struct strbuf *err)
{
	struct val_array *arr = legs.u.array;
	size_t keep = 0;

	for (size_t f = 0; f < filters->nr; f++) {
		const char *colon = strchr(filters->items[f], ':');

		if (!colon || colon == filters->items[f]) {
			strbuf_addf(err, "--matrix '%s' is not KEY:VALUE", filters->items[f]);
			return -1;
		}
	}
	for (size_t i = 0; i < arr->nr; i++) {
		int pass = 1;

		for (size_t f = 0; f < filters->nr && pass; f++) {
			const char *item = filters->items[f];

			pass = matrix_leg_passes(arr->items[i], filters, item,
						 (size_t)(strchr(item, ':') - item));
		}
		if (pass)
			arr->items[keep++] = arr->items[i];
	}
	arr->nr = keep;
	return 0;
}
