/*
 * include/kmm/fault-inject.h - fault injection from C, named after the
 * files Linux has for it (docs/fault_injection.md):
 *
 *   kmm_fault_write("failslab", "probability", 5)
 *       is  echo 5 > /sys/kernel/debug/failslab/probability
 *   kmm_fail_nth_write(3)
 *       is  echo 3 > /proc/self/fail-nth   (this thread's 3rd eligible
 *                                            allocation from now fails)
 *
 * Capabilities: "fail_page_alloc" (alloc_pages and everything built on
 * it) and "failslab" (kmem_cache_alloc, kmalloc).  Knobs: probability,
 * interval, times, space, verbose; ignore-gfp-wait for both;
 * ignore-gfp-highmem and min-order for fail_page_alloc; cache-filter for
 * failslab (Y/N knobs take 1/0 here).  They act on the current machine.
 */
#ifndef KMM_FAULT_INJECT_H
#define KMM_FAULT_INJECT_H

/* 0; -ENOENT for an unknown capability or knob; -EINVAL out of range. */
int kmm_fault_write(const char *capability, const char *knob, long value);
int kmm_fault_read(const char *capability, const char *knob, long *value);
/* Failures the capability has injected on the current machine so far. */
unsigned long kmm_fault_injected(const char *capability);

/*
 * The calling thread's countdown: nth > 0 fails its nth eligible call
 * (one that passes the capability's filters) from now on, once, whatever
 * the other knobs say; 0 disarms.  The read gives what is left: 0 once
 * the failure was injected, as /proc/self/fail-nth reads.
 */
void kmm_fail_nth_write(unsigned int nth);
unsigned int kmm_fail_nth_read(void);

#endif /* KMM_FAULT_INJECT_H */
