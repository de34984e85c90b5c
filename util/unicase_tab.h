/*
 * unicase_tab: the shape of the generated case-mapping tables
 * (util/unicase_tab.c, written by util/unicase_gen.mjs). Only
 * util/unicase.c reads them.
 */
#ifndef UTIL_UNICASE_TAB_H
#define UTIL_UNICASE_TAB_H

#include <stddef.h>
#include <stdint.h>

/* Code points first..last (stepping by step) map to cp + delta. */
struct unicase_run {
	uint32_t first, last;
	uint32_t step;
	int32_t delta;
};

/* A code point that maps to several (len <= 3). */
struct unicase_multi {
	uint32_t cp;
	uint32_t len;
	uint32_t to[3];
};

struct unicase_range {
	uint32_t first, last;
};

extern const struct unicase_run unicase_upper_runs[], unicase_lower_runs[];
extern const size_t unicase_upper_runs_nr, unicase_lower_runs_nr;
extern const struct unicase_multi unicase_upper_multi[], unicase_lower_multi[];
extern const size_t unicase_upper_multi_nr, unicase_lower_multi_nr;
extern const struct unicase_range unicase_cased[], unicase_case_ignorable[];
extern const size_t unicase_cased_nr, unicase_case_ignorable_nr;

#endif
