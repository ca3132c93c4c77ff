/*
 * hw/repl/repl.c - the registry of replacement policies (hw/repl/repl.h):
 * every policy by name, and the set-up an owner calls.
 */
#include <string.h>
#include <kmm/compiler.h>
#include "hw/repl/repl.h"

const struct repl_ops *const repl_policies[] = {
	&repl_lru_ops,
	&repl_plru_ops,
	&repl_random_ops,
};
const unsigned int nr_repl_policies = ARRAY_SIZE(repl_policies);

/* The policy called name, or NULL. */
const struct repl_ops *repl_find(const char *name)
{
	for (unsigned int i = 0; i < nr_repl_policies; i++)
		if (!strcmp(repl_policies[i]->name, name))
			return repl_policies[i];
	return NULL;
}

void repl_init(struct repl *r, const struct repl_ops *ops, uint32_t *clock,
	       void (*for_each_set)(struct repl *r,
				    void (*fn)(struct repl *r, const struct repl_set *s)),
	       unsigned int seed)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->clock = clock;
	r->for_each_set = for_each_set;
	ops->init(r, seed);
}
