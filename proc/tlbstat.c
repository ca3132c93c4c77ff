/*
 * proc/tlbstat.c - the TLB counters of every CPU added up: /proc/tlbstat
 * ("name value" lines, as /proc/vmstat) and the `tlbstat` command's
 * table (the geometry, then hits and misses per level).
 */
#include <string.h>
#include "mm/machine.h"
#include "hw/machine.h"
#include "base/printk.h"
#include "base/smp.h"
#include "mm/memory.h"
#include "hw/cpu.h"

/* Every CPU's TLB counters added up, and the configuration in use. */
static void tlb_totals(struct kmm *k, unsigned long *sum, struct tlb_config *cfg)
{
	unsigned int cpu;

	memset(sum, 0, NR_TLB_STAT_ITEMS * sizeof(*sum));
	tlb_config_default(cfg);
	if (k->cfg.tlb[0])
		tlb_config_parse(k->cfg.tlb, cfg, NULL, 0);
	if (!k->hw->cpus.tlbs)
		return;
	for (cpu = 0; cpu < k->hw->cpus.nr; cpu++)
		tlb_stat_add(sum, &k->hw->cpus.tlbs[cpu]);
	*cfg = k->hw->cpus.tlbs[0].cfg;
}

/* /proc/tlbstat: "name value" lines, as /proc/vmstat prints its own. */
int tlb_proc_show(struct kmm *k, char *buf, size_t size)
{
	unsigned long sum[NR_TLB_STAT_ITEMS];
	struct tlb_config cfg;

	tlb_totals(k, sum, &cfg);
	return tlb_stat_format(sum, buf, size);
}

/* The `tlbstat` command: the geometry, then hits and misses per level. */
int tlbstat_show(struct kmm *k, char *buf, size_t size)
{
	unsigned long sum[NR_TLB_STAT_ITEMS];
	struct tlb_config cfg;

	tlb_totals(k, sum, &cfg);
	return tlbstat_format(&cfg, sum, buf, size);
}
