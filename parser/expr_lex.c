/*
 * expr_lex: splits ${{ }} expression text into tokens exactly as GitHub's
 * lexer does, including its quirks (a '.' or '-' starts a number unless it
 * follows a value, keywords are not keywords after '.', a lone '=', '&' or
 * '|' swallows the word after it). Columns are UTF-16 units from the start
 * of the text. Parsing is expr_parse.c's job.
 */
#include "parser/expr_int.h"
#include "util/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct lexer {
	const char *text;
	size_t len;
	size_t off;             /* byte offset of the next character */
	int off16;              /* the same in UTF-16 units */
	size_t start;           /* where the current token began */
	int start16;
	struct expr_token *toks;
	size_t nr, alloc;
	struct arena *a;
	struct expr_error *err;
};

static int lex_at_end(const struct lexer *lx)
{
	return lx->off >= lx->len;
}

/* Consume one character (a code point). */
static void lex_next(struct lexer *lx)
{
	const unsigned char *p = (const unsigned char *)lx->text + lx->off;

	if (*p < 0x80) {
		lx->off++;
		lx->off16++;
		return;
	}
	lx->off16 += utf8_decode(&p, (const unsigned char *)lx->text + lx->len) >= 0x10000 ? 2 : 1;
	lx->off = (size_t)(p - (const unsigned char *)lx->text);
}

/* ASCII token boundaries: punctuation of operators and JavaScript's white space. */
static const unsigned char lex_boundaries[128] = {
	['('] = 1, ['['] = 1, [')'] = 1, [']'] = 1, [','] = 1, ['.'] = 1, ['!'] = 1,
	['>'] = 1, ['<'] = 1, ['='] = 1, ['&'] = 1, ['|'] = 1,
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
};

/* GitHub's token boundaries: punctuation of operators and JavaScript white space. */
static int lex_is_boundary(const struct lexer *lx)
{
	const unsigned char *p = (const unsigned char *)lx->text + lx->off;

	if (*p >= 0x80)
		return utf8_is_js_space(utf8_decode(&p, (const unsigned char *)lx->text + lx->len));
	return lex_boundaries[*p];
}

static int lex_is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static enum expr_tok lex_previous(const struct lexer *lx)
{
	return lx->nr ? lx->toks[lx->nr - 1].type : EXPR_T_EOF;
}

static struct expr_token *lex_add(struct lexer *lx, enum expr_tok type)
{
	struct expr_token *t;

	if (lx->nr == lx->alloc) {
		size_t want = lx->alloc ? 2 * lx->alloc : 16;

		lx->toks = arena_realloc(lx->a, lx->toks, lx->alloc * sizeof(*lx->toks),
					 want * sizeof(*lx->toks));
		lx->alloc = want;
	}
	t = &lx->toks[lx->nr++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->off = lx->start;
	t->len = lx->off - lx->start;
	t->col = lx->start16 + 1;
	t->width = lx->off16 - lx->start16 > 0 ? lx->off16 - lx->start16 : 1;
	return t;
}

static int lex_fail(struct lexer *lx, size_t end)
{
	struct expr_error *err = lx->err;

	err->stage = EXPR_LEXING;
	err->pos = lx->start16 + 1;
	err->len = (int)utf8_utf16_len(lx->text + lx->start, end - lx->start);
	if (err->len < 1)
		err->len = 1;
	strbuf_reset(&err->message);
	strbuf_addstr(&err->message, "Unexpected symbol: '");
	strbuf_add(&err->message, lx->text + lx->start, end - lx->start);
	strbuf_addch(&err->message, '\'');
	return -1;
}

static int lex_match(struct lexer *lx, char c)
{
	if (lex_at_end(lx) || lx->text[lx->off] != c)
		return 0;
	lex_next(lx);
	return 1;
}

static int lex_number(struct lexer *lx)
{
	double v;

	while (!lex_at_end(lx) && (!lex_is_boundary(lx) || lx->text[lx->off] == '.'))
		lex_next(lx);
	v = expr_string_to_number(lx->text + lx->start, lx->off - lx->start);
	if (isnan(v))
		return lex_fail(lx, lx->off);
	lex_add(lx, EXPR_T_NUMBER)->number = v;
	return 0;
}

static int lex_string(struct lexer *lx)
{
	struct expr_token *t;
	char *value;
	size_t n = 0;

	for (;;) {
		if (lex_at_end(lx))
			return lex_fail(lx, lx->len);
		if (lx->text[lx->off] == '\'') {
			if (lx->off + 1 < lx->len && lx->text[lx->off + 1] == '\'') {
				lex_next(lx);
				lex_next(lx);
				continue;
			}
			break;
		}
		lex_next(lx);
	}
	lex_next(lx);
	/* The value: the text between the quotes with each '' read as one quote. */
	value = arena_alloc(lx->a, lx->off - lx->start);
	for (size_t i = lx->start + 1; i < lx->off - 1; i++) {
		value[n++] = lx->text[i];
		if (lx->text[i] == '\'')
			i++;
	}
	value[n] = '\0';
	t = lex_add(lx, EXPR_T_STRING);
	t->str = value;
	t->str_len = n;
	return 0;
}

static int lex_is_legal_identifier(const char *s, size_t len)
{
	if (!len || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!lex_is_word_char(s[i]))
			return 0;
	return 1;
}

static const struct {
	const char *word;
	enum expr_tok type;
	double number;
} lex_keywords[] = {
	{ "true", EXPR_T_TRUE, 0 },
	{ "false", EXPR_T_FALSE, 0 },
	{ "null", EXPR_T_NULL, 0 },
	{ "NaN", EXPR_T_NUMBER, NAN },
	{ "Infinity", EXPR_T_NUMBER, INFINITY },
};

static int lex_identifier(struct lexer *lx)
{
	const char *s = lx->text + lx->start;
	size_t n;
	enum expr_tok type = EXPR_T_IDENT;
	double number = 0;

	for (;;) {
		/* Letters, digits, '_' and '-' never end a word: the common case, fast. */
		while (lx->off < lx->len && lex_is_word_char(lx->text[lx->off])) {
			lx->off++;
			lx->off16++;
		}
		if (lex_at_end(lx) || lex_is_boundary(lx))
			break;
		lex_next(lx);
	}
	n = lx->off - lx->start;
	if (lex_previous(lx) != EXPR_T_DOT) {
		for (size_t i = 0; i < sizeof(lex_keywords) / sizeof(lex_keywords[0]); i++) {
			if (lex_keywords[i].word[0] == s[0] && strlen(lex_keywords[i].word) == n &&
			    !memcmp(lex_keywords[i].word, s, n)) {
				type = lex_keywords[i].type;
				number = lex_keywords[i].number;
			}
		}
	}
	if (!lex_is_legal_identifier(s, n))
		return lex_fail(lx, lx->off);
	lex_add(lx, type)->number = number;
	return 0;
}

/* Two-character operators, and what their first character means alone. */
static int lex_operator(struct lexer *lx, char c)
{
	static const struct {
		char first, second;
		enum expr_tok pair, single;     /* single EXPR_T_EOF: illegal alone */
	} ops[] = {
		{ '!', '=', EXPR_T_NE, EXPR_T_BANG },
		{ '<', '=', EXPR_T_LE, EXPR_T_LT },
		{ '>', '=', EXPR_T_GE, EXPR_T_GT },
		{ '=', '=', EXPR_T_EQ, EXPR_T_EOF },
		{ '&', '&', EXPR_T_AND, EXPR_T_EOF },
		{ '|', '|', EXPR_T_OR, EXPR_T_EOF },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].first != c)
			continue;
		if (lex_match(lx, ops[i].second)) {
			lex_add(lx, ops[i].pair);
			return 0;
		}
		if (ops[i].single == EXPR_T_EOF)
			return lex_identifier(lx);
		lex_add(lx, ops[i].single);
		return 0;
	}
	return 1;
}

static int lex_one(struct lexer *lx)
{
	/* Tokens of one character, plus one (0: none). */
	static const unsigned char singles[128] = {
		['('] = 1 + EXPR_T_LPAREN, [')'] = 1 + EXPR_T_RPAREN, ['['] = 1 + EXPR_T_LBRACKET,
		[']'] = 1 + EXPR_T_RBRACKET, [','] = 1 + EXPR_T_COMMA, ['*'] = 1 + EXPR_T_STAR,
	};
	char c = lx->text[lx->off];
	enum expr_tok prev;
	int ret;

	lex_next(lx);
	if ((unsigned char)c < 128 && singles[(unsigned char)c]) {
		lex_add(lx, (enum expr_tok)(singles[(unsigned char)c] - 1));
		return 0;
	}
	switch (c) {
	case ' ': case '\t': case '\r': case '\n':
		return 0;
	case '\'':
		return lex_string(lx);
	case '-': case '+':
		return lex_number(lx);
	case '.':
		prev = lex_previous(lx);
		if (prev != EXPR_T_IDENT && prev != EXPR_T_RBRACKET && prev != EXPR_T_RPAREN &&
		    prev != EXPR_T_STAR)
			return lex_number(lx);
		lex_add(lx, EXPR_T_DOT);
		return 0;
	default:
		break;
	}
	ret = lex_operator(lx, c);
	if (ret <= 0)
		return ret;
	if (c >= '0' && c <= '9')
		return lex_number(lx);
	return lex_identifier(lx);
}

int expr_lex(struct expr_token **out, size_t *nr, struct arena *a, const char *text,
	     size_t len, struct expr_error *err)
{
	struct lexer lx;
	struct expr_token *eof;

	memset(&lx, 0, sizeof(lx));
	lx.text = text;
	lx.len = len;
	lx.a = a;
	lx.err = err;
	/* A string has no more UTF-16 units than bytes: count only long ones. */
	if (len > EXPR_MAX_LENGTH && utf8_utf16_len(text, len) > EXPR_MAX_LENGTH) {
		err->stage = EXPR_LEXING;
		err->pos = 0;
		err->len = 1;
		strbuf_reset(&err->message);
		strbuf_addf(&err->message, "Exceeded max expression length %d", EXPR_MAX_LENGTH);
		return -1;
	}
	while (!lex_at_end(&lx)) {
		lx.start = lx.off;
		lx.start16 = lx.off16;
		if (lex_one(&lx) < 0)
			return -1;
	}
	/* GitHub places the end token where the last character (or blank) began. */
	eof = lex_add(&lx, EXPR_T_EOF);
	eof->len = 0;
	eof->width = 1;
	*out = lx.toks;
	*nr = lx.nr;
	return 0;
}
