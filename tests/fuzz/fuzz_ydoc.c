/*
 * fuzz_ydoc: libFuzzer entry point for the YAML tree (parser/ydoc): load any
 * bytes, then walk the result into values, so every node is touched.
 */
#include <stddef.h>
#include <stdint.h>

#include "parser/ydoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ydoc doc;
	struct diag_list diags = DIAG_LIST_INIT;
	struct arena a = ARENA_INIT;

	ydoc_load(&doc, "fuzz.yml", (const char *)data, size, &diags);
	if (doc.root)
		ydoc_to_val(&a, doc.root);
	arena_release(&a);
	ydoc_release(&doc);
	diag_list_release(&diags);
	return 0;
}
