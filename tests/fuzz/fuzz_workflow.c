/*
 * fuzz_workflow: libFuzzer entry point for the whole loader (YAML, schema,
 * decoders, rules): the bytes are read as a workflow and as an action.
 */
#include <stddef.h>
#include <stdint.h>

#include "parser/action.h"
#include "parser/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wf_workflow wf;
	struct action act;
	struct diag_list diags = DIAG_LIST_INIT;

	wf_load(&wf, "fuzz.yml", (const char *)data, size, &diags);
	wf_release(&wf);
	action_load(&act, "action.yml", (const char *)data, size, &diags);
	action_release(&act);
	diag_list_release(&diags);
	return 0;
}
