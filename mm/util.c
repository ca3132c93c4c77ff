/*
 * mm/util.c - overcommit accounting (Linux's __vm_enough_memory and
 * friends in mm/util.c).  Private writable mappings are charged to
 * vm_committed_as when made (VM_ACCOUNT) and uncharged when they go, and
 * a charge is refused by the vm.overcommit_memory policy:
 *   0 (guess)   only a request larger than all RAM (+ swap) fails;
 *   1 (always)  nothing fails;
 *   2 (never)   the total may not reach CommitLimit = RAM * ratio% (+
 *               swap), less the admin reserve for a non-admin caller and
 *               the smaller of total_vm/32 and the user reserve.
 * /proc/meminfo shows the total as Committed_AS and the limit as
 * CommitLimit whatever the policy.
 */
#include <errno.h>
#include "mm/internal.h"
#include "mm/mmap.h"

unsigned long __totalram_pages(struct kmm *k)
{
	unsigned long total = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		total += zone_managed_pages(&k->mem->node.node_zones[i]);
	return total;
}

/* The reserves are set from the RAM free after boot, as Linux's
 * init_user_reserve and init_admin_reserve. */
void mm_util_init(struct kmm *k)
{
	unsigned long free_kbytes = __global_zone_page_state(k, NR_FREE_PAGES) << (PAGE_SHIFT - 10);

	k->mem->sysctl_overcommit_memory = OVERCOMMIT_GUESS;
	k->mem->sysctl_overcommit_ratio = 50;
	k->mem->sysctl_user_reserve_kbytes = min(free_kbytes / 32, 128ul << 10);
	k->mem->sysctl_admin_reserve_kbytes = min(free_kbytes / 32, 8ul << 10);
	k->mem->sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
}

/* The swap areas' usable pages (Linux's total_swap_pages). */
static unsigned long total_swap_pages(struct kmm *k)
{
	long n = READ_ONCE(k->mem->total_swap_pages);

	return n > 0 ? (unsigned long)n : 0;
}

unsigned long vm_commit_limit(struct kmm *k)
{
	unsigned long allowed;

	if (k->mem->sysctl_overcommit_kbytes)
		allowed = k->mem->sysctl_overcommit_kbytes >> (PAGE_SHIFT - 10);
	else
		allowed = __totalram_pages(k) * (unsigned long)k->mem->sysctl_overcommit_ratio / 100;
	return allowed + total_swap_pages(k);
}

void vm_acct_memory(struct kmm *k, long pages)
{
	__atomic_add_fetch(&k->mem->vm_committed_as, pages, __ATOMIC_RELAXED);
}

void vm_unacct_memory(struct kmm *k, long pages)
{
	vm_acct_memory(k, -pages);
}

int __vm_enough_memory(struct kmm *k, unsigned long mm_total_vm, long pages,
		       bool cap_sys_admin)
{
	long allowed;

	vm_acct_memory(k, pages);
	if (k->mem->sysctl_overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	if (k->mem->sysctl_overcommit_memory == OVERCOMMIT_GUESS) {
		if (pages <= (long)(__totalram_pages(k) + total_swap_pages(k)))
			return 0;
	} else {
		allowed = (long)vm_commit_limit(k);
		if (!cap_sys_admin)
			allowed -= (long)(k->mem->sysctl_admin_reserve_kbytes >> (PAGE_SHIFT - 10));
		allowed -= min((long)(mm_total_vm / 32),
			       (long)(k->mem->sysctl_user_reserve_kbytes >> (PAGE_SHIFT - 10)));
		if (__atomic_load_n(&k->mem->vm_committed_as, __ATOMIC_RELAXED) < allowed)
			return 0;
	}
	vm_unacct_memory(k, pages);
	return -ENOMEM;
}

/* The integer square root, floor(sqrt(x)), by digit pairs (Linux's
 * lib/math/int_sqrt.c): the watermark and inactive-ratio formulas use it. */
unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1ul << (sizeof(long) * 8 - 2);

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}
