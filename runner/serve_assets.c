/*
 * serve_assets: the dashboard's files (runner/dashboard/), embedded into
 * the binary with the assembler's .incbin, and their table. The Makefile
 * rebuilds this object when a dashboard file changes; what the pages do
 * is runner/dashboard/app.js's.
 */
#include "runner/serve.h"

#include <string.h>

#define SERVE_INCBIN(sym, file) \
	__asm__(".section .rodata\n" \
		".balign 16\n" \
		".hidden " #sym "\n.globl " #sym "\n" #sym ":\n" \
		".incbin \"runner/dashboard/" file "\"\n" \
		".hidden " #sym "_end\n.globl " #sym "_end\n" #sym "_end:\n" \
		".byte 0\n" \
		".previous\n"); \
	extern const unsigned char sym[] __attribute__((visibility("hidden"))); \
	extern const unsigned char sym##_end[] __attribute__((visibility("hidden")))

SERVE_INCBIN(serve_index_html, "index.html");
SERVE_INCBIN(serve_app_js, "app.js");
SERVE_INCBIN(serve_app_css, "app.css");

const struct serve_asset *serve_asset_find(const char *path)
{
	static struct serve_asset assets[] = {
		{ "/index.html", "text/html; charset=utf-8", NULL, 0 },
		{ "/assets/app.js", "text/javascript; charset=utf-8", NULL, 0 },
		{ "/assets/app.css", "text/css; charset=utf-8", NULL, 0 },
	};
	const unsigned char *const bounds[][2] = {
		{ serve_index_html, serve_index_html_end },
		{ serve_app_js, serve_app_js_end },
		{ serve_app_css, serve_app_css_end },
	};

	for (size_t i = 0; i < sizeof(assets) / sizeof(*assets); i++) {
		if (strcmp(assets[i].path, path))
			continue;
		assets[i].data = bounds[i][0];
		assets[i].len = (size_t)(bounds[i][1] - bounds[i][0]);
		return &assets[i];
	}
	return NULL;
}
