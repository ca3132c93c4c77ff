/*
 * sim/tour.c - the guided tour: `kmm tour` walks a newcomer through the
 * machine, running real commands on a real (simulated) machine and saying
 * what to look at in each answer.  It grows with every subsystem.
 */
#include <stdio.h>
#include <string.h>
#include "sim/script.h"
#include "sim/tour.h"

struct tour_step {
	const char *say;	/* narration, printed as "# ..." lines */
	const char *cmd;	/* a script command, or NULL */
};

static const struct tour_step tour[] = {
	{ "Welcome to kmm: Linux's memory management, rebuilt in user space.\n"
	  "Everything below runs on a simulated PC with 256 MiB of RAM, 2 CPUs\n"
	  "and protection keys (pku=on, as on Intel since Skylake-SP and AMD\n"
	  "since Zen 3; without the option kmm does what the host CPU does).\n"
	  "Each '$' line is a script command; you can type the same lines into\n"
	  "`kmm` or put them in a file for `kmm run FILE`.",
	  "boot mem=256M cpus=2 seed=1 pku=on disk=scratch:16M swap=256M" },

	{ "Part 1: physical memory.  The RAM is cut into zones by address, as on\n"
	  "x86-64: DMA (below 16 MiB, for old devices) and DMA32 (below 4 GiB).\n"
	  "/proc/buddyinfo shows, per zone, how many free blocks of 2^order pages\n"
	  "there are, order 0 (4 KiB) to order 10 (4 MiB).  A fresh machine is\n"
	  "almost all order-10 blocks: memory has not been broken up yet.  (First\n"
	  "`drain`: booting the slab caches left a few pages on per-CPU lists.)",
	  "drain" },
	{ NULL, "cat /proc/buddyinfo" },

	{ "Why is DMA not a round number?  Page 0 belongs to the firmware,\n"
	  "640 KiB-1 MiB is the legacy VGA/BIOS hole, and the kernel reserves the\n"
	  "whole first megabyte.  The struct page array (64 bytes per frame) is\n"
	  "itself taken from RAM at the top of memory: MemTotal is less than 256 MiB.",
	  "cat /proc/meminfo" },

	{ "Part 2: the buddy allocator.  Ask for one order-3 block (8 pages).\n"
	  "The allocator takes the smallest free block that fits; if none, it\n"
	  "splits a bigger one in halves (buddies) until it has the right size.",
	  "alloc_pages 3" },

	{ "Order 3 is small, so it was served from this CPU's per-CPU list, which\n"
	  "was refilled from the buddy lists with a batch of two order-3 blocks.\n"
	  "Compare with the first buddyinfo: the free order-3 blocks sit in movable\n"
	  "pageblocks, and this kernel (unmovable) request took the smallest fit\n"
	  "among unmovable ones, an order-6 block: one fewer at order 6, one more\n"
	  "at orders 5 and 4, and its two order-3 quarters went to the list.",
	  "cat /proc/buddyinfo" },

	{ "An order-10 block (4 MiB) is too big for the per-CPU lists and comes\n"
	  "straight from the buddy lists.  GFP flags choose the zone: __GFP_DMA\n"
	  "forces ZONE_DMA.",
	  "alloc_pages 10 GFP_KERNEL" },
	{ NULL, "alloc_pages 2 GFP_KERNEL|__GFP_DMA" },

	{ "Freeing merges a block with its buddy (pfn XOR 2^order) whenever the\n"
	  "buddy is free too, climbing back up towards order 10.  The order-10 block\n"
	  "goes straight back to the buddy lists ...",
	  "free_pages 0xf000 10" },
	{ "... while small frees park on this CPU's list first (hot in its cache,\n"
	  "and cheap: no zone lock).",
	  "free_pages 0xf438 3" },
	{ NULL, "free_pages 0xc00 2" },

	{ "Freeing the same block twice is a classic bug.  kmm checks every free\n"
	  "and reports misuse the way Linux's bad_page does, without touching its\n"
	  "lists; the allocator stays consistent, as `check` (which runs\n"
	  "check_buddy_invariants) confirms.",
	  "free_pages 0xf438 3" },
	{ NULL, "free_pages 0xf439 0" },
	{ NULL, "check" },

	{ "`drain` gives the per-CPU lists back (drain_all_pages).  Every block\n"
	  "merges with its buddy again and buddyinfo is exactly what it was after\n"
	  "boot.",
	  "drain" },
	{ NULL, "cat /proc/buddyinfo" },

	{ "Part 3: watermarks.  Each zone keeps a reserve: below 'min' only\n"
	  "GFP_ATOMIC (which cannot sleep) may allocate, and it may dig to 3/8 of\n"
	  "min.  'low' and 'high' are where kswapd would wake and sleep.  They come\n"
	  "from min_free_kbytes = sqrt(16 x lowmem KiB), split by zone size.",
	  "cat /proc/sys/vm/min_free_kbytes" },

	{ "The 'protection' line is lowmem_reserve: how many extra free pages\n"
	  "DMA keeps when an allocation could have used a higher zone.",
	  "cat /proc/zoneinfo" },

	{ "Mobility: every 2 MiB pageblock has a migratetype.  Unmovable kernel\n"
	  "allocations steal whole pageblocks from the Movable pool so that they\n"
	  "stay clustered, which keeps big blocks available for later.",
	  "cat /proc/pagetypeinfo" },

	{ "Last, running out: ask ZONE_DMA for 4 MiB blocks until it cannot\n"
	  "give one.  The fourth request fails although DMA still has 3 MiB free:\n"
	  "no 1024 contiguous pages are left, only smaller blocks.  The allocator\n"
	  "prints Linux's warning (the [dmesg] lines), returns NULL (`error\n"
	  "ENOMEM`) and changes nothing else.",
	  "alloc_pages 10 GFP_KERNEL|__GFP_DMA" },
	{ NULL, "alloc_pages 10 GFP_KERNEL|__GFP_DMA" },
	{ NULL, "alloc_pages 10 GFP_KERNEL|__GFP_DMA" },
	{ NULL, "alloc_pages 10 GFP_KERNEL|__GFP_DMA" },

	{ "Part 4: slab caches.  Pages are too big for most kernel objects, so\n"
	  "the kernel keeps caches of same-sized objects carved from slabs of\n"
	  "pages.  A traffic server might keep its sessions in one: 192 bytes\n"
	  "each, aligned to cache lines.",
	  "kmem_cache_create session 192 0 SLAB_HWCACHE_ALIGN" },
	{ "The first allocation grows the cache by one slab and moves a batch\n"
	  "of objects into this CPU's array; the next ones come from that array\n"
	  "without taking any lock (objects are printed as kernel addresses).",
	  "kmem_cache_alloc session" },
	{ NULL, "kmem_cache_alloc session" },
	{ NULL, "kmem_cache_alloc session" },
	{ "slabtop sums it up: the session slab holds 85 objects in 4 pages\n"
	  "(the smallest order that wastes under 1/32), 16 of them counted active:\n"
	  "the 3 in use and the 13 waiting in the per-CPU array.  Objects this big\n"
	  "keep the slab's descriptor off the slab, in a kmalloc-256 object, and the\n"
	  "descriptor of every cache is itself an object of the kmem_cache cache.",
	  "slabtop" },
	{ "Frees are checked in O(1): a double free is caught even without\n"
	  "debugging on, because each object's slot in the slab's index array\n"
	  "records whether it is out.",
	  "kmem_cache_free session 0xffff88800f440a80" },
	{ NULL, "kmem_cache_free session 0xffff88800f440a80" },
	{ "kmalloc is a set of such caches, kmalloc-8 to kmalloc-8k; 100 bytes\n"
	  "come from kmalloc-128.  Bigger requests go to the page allocator.\n"
	  "Destroying a cache that still has objects out is refused and the\n"
	  "objects are listed, as Linux does.",
	  "kmalloc 100" },
	{ NULL, "kmem_cache_destroy session" },

	{ "Part 5: the kernel's page table.  The kernel reaches all RAM through\n"
	  "its direct map at PAGE_OFFSET (0xffff888000000000), built at boot in\n"
	  "swapper_pg_dir with the largest pages alignment allows.  `translate`\n"
	  "walks it as the MMU would: 4 levels of 512 entries, here ending in a\n"
	  "2 MiB leaf (PS bit, 0x80, in the PMD entry).",
	  "translate 0xffff888000200123" },
	{ "The first 2 MiB start at 4 KiB (page 0 is the firmware's), so they are\n"
	  "mapped with 4 KiB pages, one level deeper.  /proc/meminfo's DirectMap\n"
	  "lines count these leaves.",
	  "translate 0xffff888000012345" },

	{ "vmalloc builds big buffers out of scattered single pages: it reserves\n"
	  "a range of vmalloc space (from 0xffffc90000000000) and maps each page\n"
	  "there, one PTE at a time.  No 1 MiB contiguous block is needed.",
	  "vmalloc 1M" },
	{ "Its pages come from anywhere; only their addresses are contiguous.\n"
	  "A guard page follows each area, unmapped, so an overrun faults.",
	  "translate 0xffffc90000000000" },
	{ NULL, "translate 0xffffc90000100000" },
	{ NULL, "cat /proc/vmallocinfo" },

	{ "Part 6: processes.  `spawn cat` makes process 1 and lays out its\n"
	  "address space as execve leaves it before the first instruction: the\n"
	  "program's ELF segments (read-only headers, r-x text, read-only data,\n"
	  "rw data), the dynamic linker ld-linux in the mmap area near the top,\n"
	  "the vDSO pages the kernel provides ([vvar], [vdso]), and the [stack]:\n"
	  "one page of arguments plus 128 KiB.  Addresses are randomised (ASLR)\n"
	  "from the boot seed; `boot aslr=off` gives the 0x555555554000 layout\n"
	  "of `setarch -R`.  File lines show the device, the inode and the path.",
	  "spawn cat" },
	{ NULL, "cat /proc/1/maps" },

	{ "mmap without an address takes the highest free range below mmap_base,\n"
	  "just under the vDSO: the mmap area grows down towards the heap.",
	  "mmap 1 0 1M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS" },
	{ "A VMA has one set of permissions.  Making one page in the middle\n"
	  "read-only splits the 1 MiB area in three (look at the lines just\n"
	  "below [vvar]) ...",
	  "mprotect 1 0x7f6bd9982000 4096 PROT_READ" },
	{ NULL, "cat /proc/1/maps" },
	{ "... and giving it back its write permission merges the three again:\n"
	  "same flags, no file, offsets that continue.",
	  "mprotect 1 0x7f6bd9982000 4096 PROT_READ|PROT_WRITE" },

	{ "The heap is the brk area, starting a random distance above the\n"
	  "program's .bss.  `brk PID` asks where the break is; moving it up maps\n"
	  "[heap] (page by page as the break crosses pages).",
	  "brk 1" },
	{ NULL, "brk 1 0x5608a73eb000" },

	{ "MAP_SHARED|MAP_ANONYMOUS memory is really a file: an unlinked object of\n"
	  "the kernel's internal tmpfs (device 00:01), named /dev/zero.  `fork`\n"
	  "copies the address space VMA by VMA; the child shares that object\n"
	  "(same inode) while its private memory will be copied on write.",
	  "mmap 1 0 64K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS" },
	{ NULL, "fork 1" },
	{ NULL, "cat /proc/2/maps" },
	{ "/proc/PID/status adds it up: VmSize is every mapped page, VmData the\n"
	  "private writable ones, VmStk the stack, VmExe the program's text and\n"
	  "VmLib the other executable mappings (ld-linux and the vDSO).  VmRSS is\n"
	  "0 because nothing has been touched yet: page faults are next.",
	  "cat /proc/2/status" },
	{ "`ps` lists the processes with their size (VSZ is VmSize).  Every\n"
	  "private writable page was charged to Committed_AS in /proc/meminfo\n"
	  "(overcommit accounting), the child's copy again at fork; `exit` tears\n"
	  "an address space down and gives every VMA, file reference and charge back.\n"
	  "Process 1 stays: it is init, and `exit 1` would panic the machine\n"
	  "(\"Attempted to kill init!\"), as it would Linux.",
	  "ps" },
	{ NULL, "exit 2" },

	{ "Part 7: page faults.  A process's memory is only promised until it is\n"
	  "touched.  `touch PID ADDR LEN r|w` makes the process read or write one\n"
	  "byte of every page, as its CPU would: the TLB first, then a walk of its\n"
	  "page table, then a page fault when the walk finds nothing.  Reading\n"
	  "fresh anonymous memory maps the shared zero page: one fault a page,\n"
	  "no memory used (run with `kmm run --faults` to see minflt= per line).",
	  "spawn sh" },
	{ NULL, "mmap 3 0 64K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS" },
	{ NULL, "touch 3 0x7febe40fa000 64K r" },
	{ "Writing faults again: the zero page is read-only, so each page gets a\n"
	  "zeroed page of its own.  Now the bytes are the process's.",
	  "write 3 0x7febe40fa000 \"hello, kernel\"" },
	{ NULL, "read 3 0x7febe40fa000 13" },
	{ "fork shares those pages copy-on-write: both PTEs lose write\n"
	  "permission, and the first write in either process copies the page.\n"
	  "The child sees the parent's bytes, then its own; the parent is never\n"
	  "disturbed.",
	  "fork 3" },
	{ NULL, "write 4 0x7febe40fa000 \"HELLO\"" },
	{ NULL, "read 3 0x7febe40fa000 13" },
	{ NULL, "read 4 0x7febe40fa000 13" },
	{ "An access the VMA does not allow is a signal, printed as the kernel\n"
	  "would deliver it: no VMA at all is SEGV_MAPERR, a VMA that forbids the\n"
	  "access SEGV_ACCERR.  (By default the process survives, as one with a\n"
	  "handler would; `boot segv=kill` makes it fatal.)",
	  "touch 3 0x7febe40f9000 4K r" },
	{ NULL, "mprotect 3 0x7febe40fa000 4K PROT_READ" },
	{ NULL, "touch 3 0x7febe40fa000 4K w" },
	{ "The TLB kept translations all along; every PTE change (mprotect,\n"
	  "copy-on-write, munmap) flushed what it had to.  tlbstat counts it.",
	  "tlbstat" },
	{ NULL, "exit 4" },
	{ NULL, "exit 3" },

	{ "Part 8: protection keys.  x86 page tables cannot say execute-only: a\n"
	  "present page is always readable.  With protection keys, Linux gives a\n"
	  "PROT_EXEC-only mapping the process's execute-only key (key 1, taken on\n"
	  "first use), and the thread's PKRU register denies data access to it.\n"
	  "An instruction fetch (`touch ... x`) ignores keys and faults the page\n"
	  "in; a read of the very same present page is SIGSEGV with si_code\n"
	  "SEGV_PKUERR: the key, not the page table, refused it.",
	  "spawn cat" },
	{ NULL, "mmap 5 0 16K PROT_EXEC MAP_PRIVATE|MAP_ANONYMOUS" },
	{ NULL, "touch 5 0x7fa41b917000 4K x" },
	{ NULL, "touch 5 0x7fa41b917000 4K r" },
	{ "A program takes keys of its own with pkey_alloc (0 is everyone's, 1\n"
	  "is the execute-only key: the next free one is 2) and tags ranges with\n"
	  "pkey_mprotect.  PKEY_DISABLE_WRITE in PKRU makes the range read-only\n"
	  "for this thread without changing a page table entry or flushing the\n"
	  "TLB; /proc/5/smaps prints each VMA's ProtectionKey.",
	  "mmap 5 0 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS" },
	{ NULL, "pkey_alloc 5 0 PKEY_DISABLE_WRITE" },
	{ NULL, "pkey_mprotect 5 0x7fa41b915000 8K PROT_READ|PROT_WRITE 2" },
	{ NULL, "read 5 0x7fa41b915000 4" },
	{ NULL, "write 5 0x7fa41b915000 \"key\"" },
	{ NULL, "exit 5" },

	{ "Part 9: failing on purpose.  Every allocation has a failure path that\n"
	  "tests rarely reach, so Linux can fail them on demand (fault injection):\n"
	  "failslab fails slab allocations; its filter ignore-gfp-wait spares the\n"
	  "ones that may reclaim (GFP_KERNEL) until it is turned off (verbose 0:\n"
	  "no \"FAULT_INJECTION: forcing a failure\" notice).  fail_nth 1\n"
	  "fails the first allocation of the next command, as /proc/self/fail-nth\n"
	  "does: kmalloc says ENOMEM, `fail_nth` reads 0 (the failure happened),\n"
	  "and `check` runs every invariant checker: nothing was left half done.",
	  "echo N > /sys/kernel/debug/failslab/ignore-gfp-wait" },
	{ NULL, "echo 0 > /sys/kernel/debug/failslab/verbose" },
	{ NULL, "fail_nth 1" },
	{ NULL, "kmalloc 100" },
	{ NULL, "fail_nth" },
	{ NULL, "check" },

	{ "Part 10: files and the page cache.  The root filesystem is a host\n"
	  "directory (`boot fs=DIR`; here a scratch one the machine made).  A\n"
	  "pwrite lands in the page cache: its pages become dirty, the host file\n"
	  "is not written yet.  32 MiB is more than dirty_background_ratio (10%\n"
	  "of the memory that could be dirty, 20 MiB here): the writer wakes the\n"
	  "flusher, which queues writes until Dirty is back at that threshold.\n"
	  "Those 12 MiB are in flight (meminfo's Writeback) until the simulated\n"
	  "disk has done them.",
	  "spawn cat" },
	{ NULL, "open 6 /notes.txt O_RDWR|O_CREAT" },
	{ NULL, "pwrite 6 3 0 fill=0x6b:32M" },
	{ NULL, "cat /proc/meminfo" },
	{ "Time passes only when the script says so (or the disk takes it).\n"
	  "After a second the 12 requests of 1 MiB are done (diskstats: 12\n"
	  "writes, 24576 sectors, 26 ms at 500 MB/s); the rest is younger than\n"
	  "dirty_expire_centisecs (30 s), so the flusher leaves it.",
	  "sleep 1" },
	{ NULL, "cat /proc/diskstats" },
	{ "30 seconds later the flusher's periodic pass (every\n"
	  "dirty_writeback_centisecs, 5 s) finds those pages old enough and\n"
	  "writes them: Dirty and Writeback are 0, the host file holds the bytes.\n"
	  "A read is now a page-cache hit: no new disk request.",
	  "sleep 30" },
	{ NULL, "cat /proc/meminfo" },
	{ NULL, "pread 6 3 33554430 100" },
	{ NULL, "cat /proc/diskstats" },
	{ "Clean pages can go (drop_caches: clean, unmapped, idle ones), and then\n"
	  "reads go to the disk with readahead (mm/readahead.c, as Linux 6.18): a\n"
	  "first small read brings a 4-page window, the next sequential read a\n"
	  "bigger one, in large folios, up to read_ahead_kb (128 KiB here).\n"
	  "cachestat counts the pages of the file in the cache.",
	  "echo 1 > /proc/sys/vm/drop_caches" },
	{ NULL, "cachestat 6 3 0 0" },
	{ NULL, "pread 6 3 0 16" },
	{ NULL, "cachestat 6 3 0 0" },
	{ NULL, "pread 6 3 16384 4096" },
	{ NULL, "cachestat 6 3 0 0" },
	{ NULL, "exit 6" },

	{ "Part 11: a disk and a real filesystem.  The boot line also gave the\n"
	  "machine a block device, kda (disk=scratch:16M: an empty 16 MiB image,\n"
	  "512-byte sectors).  mkfs writes an ext2 filesystem on it with 1 KiB\n"
	  "blocks, as mke2fs -b 1024 would; mount puts it at /mnt, beside the\n"
	  "host-directory root.",
	  "spawn cat" },
	{ NULL, "mkdir 7 /mnt" },
	{ NULL, "mkfs /dev/kda ext2 1024" },
	{ NULL, "mount /dev/kda /mnt ext2" },
	{ NULL, "cat /proc/mounts" },
	{ "ext2's metadata (superblock, group descriptors, bitmaps, the inode\n"
	  "table) lives in the block device's own page cache: the buffer cache.\n"
	  "One 4 KiB page of it holds four 1 KiB blocks, each with a buffer_head\n"
	  "of its own.  Growing a file changes only its inode, in block 6 (the\n"
	  "inode table starts at block 5, eight 128-byte inodes a block): one\n"
	  "buffer of the four is dirty.",
	  "open 7 /mnt/notes O_RDWR|O_CREAT" },
	{ NULL, "pwrite 7 3 0 \"hello ext2\"" },
	{ NULL, "fsync 7 3" },
	{ NULL, "ftruncate 7 3 100000" },
	{ NULL, "buffers /dev/kda 6" },
	{ NULL, "cat /sys/block/kda/stat" },
	{ "sync writes only the dirty buffer: one more write request of 2\n"
	  "sectors (1 KiB), not the whole page (the 5th field of the stat line\n"
	  "counts written sectors).  Buffers in meminfo is the buffer cache.",
	  "sync" },
	{ NULL, "buffers /dev/kda 6" },
	{ NULL, "cat /sys/block/kda/stat" },
	{ NULL, "cat /proc/meminfo Buffers" },
	{ NULL, "exit 7" },
	{ NULL, "umount /mnt" },

	{ "Part 12: memory pressure.  Pages join the LRU lists through per-CPU\n"
	  "batches and start on the inactive list.  Reading a 384 MiB file on a\n"
	  "256 MiB machine: when free memory falls below a zone's low watermark\n"
	  "the allocator wakes kswapd, which takes pages from the tail of the\n"
	  "inactive file list and frees the clean, unused ones until the high\n"
	  "watermark is free again.  A page read once is not worth keeping.",
	  "spawn cat" },
	{ NULL, "open 8 /big O_RDWR|O_CREAT" },
	{ NULL, "ftruncate 8 3 402653184" },
	{ NULL, "pread 8 3 0 67108864" },
	{ NULL, "pread 8 3 67108864 67108864" },
	{ NULL, "pread 8 3 134217728 67108864" },
	{ NULL, "cat /proc/meminfo MemFree Active( Inactive(" },
	{ "192 MiB in, the file is on the inactive list and memory is still\n"
	  "free.  The next 192 MiB do not fit: kswapd keeps MemFree at a few MiB\n"
	  "(between the watermarks) by freeing the oldest pages of the stream,\n"
	  "and Inactive(file) stays as big as RAM allows.",
	  "pread 8 3 201326592 67108864" },
	{ NULL, "pread 8 3 268435456 67108864" },
	{ NULL, "pread 8 3 335544320 67108864" },
	{ NULL, "cat /proc/meminfo MemFree Active( Inactive(" },
	{ "pgscan_kswapd counts pages kswapd looked at, pgsteal_kswapd those it\n"
	  "freed, pageoutrun its passes; no allocation had to reclaim directly\n"
	  "(pgscan_direct 0).  Anonymous memory stays: there is no swap yet.",
	  "cat /proc/vmstat pgscan_kswapd pgscan_direct pgsteal_kswapd pageoutrun" },
	{ NULL, "exit 8" },

	{ "Part 13: swap.  The boot line also gave the machine a 256 MiB swap\n"
	  "area (swap=256M: an unnamed host file with mkswap's header;\n"
	  "/proc/swaps lists it).  Anonymous memory has no file to go back to:\n"
	  "when a process touches 320 MiB on this 256 MiB machine, reclaim gives\n"
	  "its least recently used pages a swap slot, writes them there\n"
	  "(pswpout), leaves a swap PTE in place of each mapping and frees the\n"
	  "page once written.",
	  "spawn cat" },
	{ NULL, "mmap 9 0x10000000 320M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED" },
	{ NULL, "touch 9 0x10000000 64M w" },
	{ NULL, "touch 9 0x14000000 64M w" },
	{ NULL, "touch 9 0x18000000 64M w" },
	{ NULL, "touch 9 0x1c000000 64M w" },
	{ NULL, "touch 9 0x20000000 64M w" },
	{ NULL, "cat /proc/swaps" },
	{ NULL, "cat /proc/meminfo MemFree SwapTotal SwapFree SwapCached" },
	{ "The process's status splits its memory: VmRSS in RAM, VmSwap on\n"
	  "swap.  Touching a page that is out there is a major fault that reads\n"
	  "it back (pswpin) into the swap cache and maps it again.",
	  "cat /proc/9/status VmRSS VmSwap" },
	{ NULL, "cat /proc/vmstat pswpin pswpout pgscan_anon pgsteal_anon" },
	{ NULL, "read 9 0x10000000 16" },
	{ NULL, "cat /proc/vmstat pswpin pgmajfault" },
	{ "If even swap ran out, the OOM killer would choose the process with\n"
	  "the highest badness: RSS plus swap entries plus page tables, which\n"
	  "/proc/PID/oom_score shows scaled to 0..2000 (init is never chosen:\n"
	  "0).  docs/reclaim.md has the kill, step by step.",
	  "cat /proc/9/oom_score" },
	{ NULL, "cat /proc/1/oom_score" },
	{ NULL, "exit 9" },

	{ "That is the page allocator, the slab, the kernel page table, vmalloc,\n"
	  "process address spaces, page faults, protection keys, fault\n"
	  "injection, the page cache, the buffer cache with ext2, reclaim and\n"
	  "swap.\n"
	  "Type `help` in `kmm` for the commands; docs/ explains every number\n"
	  "you saw.",
	  "check" },
};

static void say(FILE *out, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		fprintf(out, "# %.*s\n", (int)n, text);
		text += n;
		if (*text)
			text++;
	}
}

int kmm_tour(FILE *out, FILE *err)
{
	struct sim *s = sim_create(out, err);
	size_t i;
	int bad = 0;

	if (!s)
		return 1;
	sim_set_source(s, "tour");
	sim_set_dmesg_prefix(s, "[dmesg] ");
	for (i = 0; i < sizeof(tour) / sizeof(tour[0]); i++) {
		if (tour[i].say) {
			fputc('\n', out);
			say(out, tour[i].say);
		}
		if (tour[i].cmd) {
			fprintf(out, "$ %s\n", tour[i].cmd);
			fflush(out);	/* reports go to err: keep them in order */
			if (sim_run_line(s, tour[i].cmd))
				bad++;
		}
		fflush(out);
	}
	sim_destroy(s);
	return bad ? 1 : 0;
}
