/*
 * fuzz_workflow: libFuzzer entry point for the whole loader (YAML, schema,
 * decoders, rules, expression checks, called workflows): the bytes are
 * read as a workflow whose every call resolves to the bytes themselves
 * (self-calls, sharing, depth), and as an action.
 */
#include <stddef.h>
#include <stdint.h>

#include "parser/action.h"
#include "parser/workflow.h"

struct fuzz_input {
	const char *data;
	size_t size;
};

/* Every reference is the input again, named after the reference. */
static int fuzz_resolve(void *data, const char *ref, const struct wf_uses *uses,
			struct strbuf *name, struct strbuf *text, struct strbuf *err)
{
	const struct fuzz_input *in = data;

	(void)uses;
	(void)err;
	strbuf_addstr(name, ref);
	strbuf_add(text, in->data, in->size);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { (const char *)data, size };
	struct wf_resolver resolver = { fuzz_resolve, &in };
	struct wf_load_options opts = { NULL, NULL, &resolver, 0, 0, WF_POLICY_LIMITED_READ };
	struct wf_workflow wf;
	struct action act;
	struct diag_list diags = DIAG_LIST_INIT;

	wf_load_opts(&wf, "fuzz.yml", in.data, size, &opts, &diags);
	wf_release(&wf);
	action_load(&act, "action.yml", in.data, size, &diags);
	action_release(&act);
	diag_list_release(&diags);
	return 0;
}
