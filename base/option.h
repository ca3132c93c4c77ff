/*
 * base/option.h - the option table behind struct kmm_config.
 */
#ifndef KMM_BASE_OPTION_H
#define KMM_BASE_OPTION_H

#include <kmm/kmm.h>

#define KMM_MAX_CPUS 64

/* KMM_OPT_OFF: "on" or "off", stored as 1 for off (norandmaps-style).
 * KMM_OPT_KILL: "kill" (1) or "handle" (0), for segv=. */
/* KMM_OPT_ENUM: one of the words in names, stored as its index.
 * KMM_OPT_STRING: a string stored as it is (width: its buffer), checked
 * by the validator its owner registered with KMM_OPTION_CHECK, if any. */
enum kmm_option_type { KMM_OPT_INT, KMM_OPT_SIZE, KMM_OPT_OFF, KMM_OPT_KILL, KMM_OPT_ENUM,
		       KMM_OPT_STRING };

/* A string option's validator: 0, or -1 with the reason in err. */
typedef int (*kmm_option_check_fn)(const char *value, char *err, size_t errlen);

/*
 * The layer that reads a string option checks it: hw/tlb_config.c checks
 * `tlb=` with the TLB model's parser, without base/ knowing of TLBs (as
 * Linux's early_param() puts a handler beside the code it configures).
 * Registers before main; one validator per option.
 */
void kmm_option_register_check(const char *name, kmm_option_check_fn fn);
#define KMM_OPTION_CHECK(name, fn)						\
	static void __attribute__((constructor)) kmm_option_check_##fn(void)	\
	{									\
		kmm_option_register_check(name, fn);				\
	}

struct kmm_option {
	const char *name;
	size_t offset;
	size_t width;
	enum kmm_option_type type;
	unsigned long def;
	unsigned long min;
	unsigned long max;
	const char *help;
	const char *const *names;	/* KMM_OPT_ENUM's words, NULL-terminated */
	const char *shown;		/* KMM_OPT_STRING: shown when empty */
};

extern const struct kmm_option kmm_options[];
extern const unsigned int kmm_nr_options;

/* Fills out from defaults, KMM_<NAME> environment and in's non-zero fields. */
int kmm_config_resolve(struct kmm_config *out, const struct kmm_config *in,
		       char *err, size_t errlen);
/* "name value help" per line, for `kmm --options`. */
int kmm_options_print(const struct kmm_config *cfg, char *buf, size_t len);

#endif
