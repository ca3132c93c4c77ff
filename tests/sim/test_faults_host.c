/*
 * tests/sim/test_faults_host.c - page faults against the host kernel:
 * fixed scenarios run by the simulator (sim_set_show_faults) and by the
 * host executor (tools/host_exec.c, one real process per script pid),
 * every line compared: results, signals, the minor faults of each touch,
 * read and write, and the window's lines of /proc/PID/maps.
 *
 * A line may end with "#= OUTPUT": what Linux prints for it, pinned
 * here so that the numbers are written down and a host that answers
 * otherwise is noticed (the simulator must then print the same, as for
 * every line).  Where the answer depends on the machine, the line says
 * "#pku= OUTPUT #nopku= OUTPUT": with protection keys (x86 gives a
 * mapping of exactly PROT_EXEC an execute-only key, so a read or write
 * is SIGSEGV SEGV_PKUERR) and without (PROT_EXEC is readable); the
 * host's features (tests/host_features.h, KMM_TEST_PKU=off) choose.  Scenarios the simulator is known to get wrong are run
 * with KMM_TEST_KNOWN=1 only; each says what differs
 * (docs/differential.md).
 */
#define _GNU_SOURCE
#include <signal.h>
#include "tests/harness.h"
#include "tests/sim/host_diff.h"

#define HEAD "spawn\n" \
	"mmap 1 0x300000000000 64M PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE|MAP_NORESERVE\n"
#define RW "PROT_READ|PROT_WRITE"
#define PRIV "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED"
#define SHARED "MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED"

struct scenario {
	const char *name;
	const char *text;
	const char *known_bug;	/* non-NULL: run with KMM_TEST_KNOWN=1 only */
	unsigned int mode;	/* DIFF_KERNEL_ADDR: both sides plugged above the window */
};

static const struct scenario scenarios[] = {
	{ "read of fresh anonymous memory: one fault a page (the zero page)", HEAD
	  "mmap 1 0x300000100000 64K " RW " " PRIV "\n"
	  "touch 1 0x300000100000 64K r	#= ok minflt=16\n"
	  "touch 1 0x300000100000 64K r	#= ok minflt=0\n"
	  "read 1 0x300000100ffe 4	#= 00 00 00 00 minflt=0\n"
	  "touch 1 0x300000100000 64K w	#= ok minflt=16\n"
	  "touch 1 0x300000100000 64K w	#= ok minflt=0\n"
	  "cat /proc/1/maps\n", NULL, 0 },
	{ "write of fresh memory: one fault a page, none to read it back", HEAD
	  "mmap 1 0x300000100000 32K " RW " " PRIV "\n"
	  "touch 1 0x300000100800 6K w	#= ok minflt=2\n"
	  "write 1 0x300000102ffe \"kmm\"	#= ok minflt=2\n"
	  "read 1 0x300000102ffe 3	#= 6b 6d 6d minflt=0\n"
	  "touch 1 0x300000100000 32K r	#= ok minflt=4\n"
	  "write 1 0x300000100000 fill=0x5a:32K	#= ok minflt=4\n"
	  "read 1 0x300000100000 32K	#= crc32=bfbad03b minflt=0\n", NULL, 0 },
	{ "fork: reads fault nowhere, a write faults once a page in each writer", HEAD
	  "mmap 1 0x300000100000 64K " RW " " PRIV "\n"
	  "touch 1 0x300000100000 32K w	#= ok minflt=8\n"
	  "touch 1 0x300000108000 32K r	#= ok minflt=8\n"
	  "fork 1	#= pid 2\n"
	  "touch 2 0x300000100000 64K r	#= ok minflt=0\n"
	  "touch 2 0x300000100000 64K w	#= ok minflt=16\n"
	  "touch 1 0x300000100000 64K r	#= ok minflt=0\n"
	  "touch 1 0x300000100000 64K w	#= ok minflt=16\n"
	  "fork 2	#= pid 3\n"
	  "touch 3 0x300000100000 64K w	#= ok minflt=16\n"
	  "write 2 0x300000100000 \"two\"	#= ok minflt=1\n"
	  "read 3 0x300000100000 3\n"
	  "read 1 0x300000100000 3\n"
	  "exit 2	#= ok\n"
	  "touch 3 0x300000100000 64K w	#= ok minflt=0\n"
	  "touch 2 0x300000100000 4K r	#= error ESRCH\n"
	  "cat /proc/3/maps\n", NULL, 0 },
	{ "MADV_DONTNEED: the next read faults again and reads zeros", HEAD
	  "mmap 1 0x300000100000 32K " RW " " PRIV "\n"
	  "write 1 0x300000100000 fill=0xab:32K	#= ok minflt=8\n"
	  "madvise 1 0x300000100000 16K MADV_DONTNEED\n"
	  "touch 1 0x300000100000 32K r	#= ok minflt=4\n"
	  "read 1 0x300000103ffe 4	#= 00 00 ab ab minflt=0\n"
	  "touch 1 0x300000100000 32K w	#= ok minflt=4\n", NULL, 0 },
	{ "mprotect: exclusive pages become writable again without a fault", HEAD
	  "mmap 1 0x300000100000 32K " RW " " PRIV "\n"
	  "touch 1 0x300000100000 16K w	#= ok minflt=4\n"
	  "touch 1 0x300000104000 16K r	#= ok minflt=4\n"
	  "mprotect 1 0x300000100000 32K PROT_READ\n"
	  "touch 1 0x300000100000 32K r	#= ok minflt=0\n"
	  "touch 1 0x300000102000 4K w	#= SIGSEGV at 0x300000102000 (SEGV_ACCERR) minflt=0\n"
	  "mprotect 1 0x300000100000 32K " RW "\n"
	  "touch 1 0x300000100000 32K w	#= ok minflt=4\n"
	  "mprotect 1 0x300000100000 32K PROT_NONE\n"
	  "touch 1 0x300000100000 4K r	#= SIGSEGV at 0x300000100000 (SEGV_ACCERR) minflt=0\n"
	  "read 1 0x3000000fffff 2	#= SIGSEGV at 0x3000000ff000 (SEGV_ACCERR) minflt=0\n"
	  "mprotect 1 0x300000100000 32K " RW "\n"
	  "touch 1 0x300000100000 32K w	#= ok minflt=0\n"
	  "cat /proc/1/maps\n", NULL, 0 },
	{ "mremap: moved page tables need no fault", HEAD
	  "munmap 1 0x300000200000 1M\n"
	  "mmap 1 0x300000100000 32K " RW " " PRIV "\n"
	  "write 1 0x300000100000 fill=0x11:16K	#= ok minflt=4\n"
	  "touch 1 0x300000104000 16K r	#= ok minflt=4\n"
	  "mremap 1 0x300000100000 32K 32K MREMAP_MAYMOVE|MREMAP_FIXED 0x300000200000\n"
	  "touch 1 0x300000200000 32K r	#= ok minflt=0\n"
	  "read 1 0x300000203fff 2	#= 11 00 minflt=0\n"
	  "touch 1 0x300000200000 32K w	#= ok minflt=4\n"
	  "touch 1 0x300000100000 4K r	#= SIGSEGV at 0x300000100000 (SEGV_MAPERR) minflt=0\n"
	  "mremap 1 0x300000200000 32K 64K	#= 0x300000200000\n"
	  "touch 1 0x300000200000 64K r	#= ok minflt=8\n"
	  "mremap 1 0x300000200000 64K 64K MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP 0x300000300000\n"
	  "touch 1 0x300000200000 64K r	#= ok minflt=16\n"
	  "touch 1 0x300000300000 64K r	#= ok minflt=0\n"
	  "read 1 0x300000300000 2	#= 11 11 minflt=0\n"
	  "cat /proc/1/maps\n", NULL, 0 },
	{ "signals: SEGV_MAPERR, SEGV_ACCERR, and the pages before them", HEAD
	  "mmap 1 0x300000100000 32K " RW " " PRIV "\n"
	  "munmap 1 0x300000102000 4K\n"
	  "munmap 1 0x300000000000 1M\n"
	  "touch 1 0x300000100000 32K w	#= SIGSEGV at 0x300000102000 (SEGV_MAPERR) minflt=2\n"
	  "touch 1 0x300000000000 4K r	#= SIGSEGV at 0x300000000000 (SEGV_MAPERR) minflt=0\n"
	  "write 1 0x300000101ffe \"abcd\"	#= SIGSEGV at 0x300000102000 (SEGV_MAPERR) minflt=0\n"
	  "read 1 0x300000101ffe 2	#= 61 62 minflt=0\n"
	  "mprotect 1 0x300000104000 4K PROT_READ\n"
	  "write 1 0x300000103ffe \"xyz\"	#= SIGSEGV at 0x300000104000 (SEGV_ACCERR) minflt=1\n"
	  "read 1 0x300000103ffe 3	#= 78 79 00 minflt=1\n"
	  "mmap 1 0x300000110000 8K PROT_WRITE " PRIV "\n"
	  "touch 1 0x300000110000 8K r	#= ok minflt=2\n"
	  "mmap 1 0x300000120000 8K PROT_EXEC " PRIV "\n"
	  /* x86 without keys: exec implies read; with them, exec-only */
	  "touch 1 0x300000120000 8K r	#pku= SIGSEGV at 0x300000120000 (SEGV_PKUERR) minflt=0"
	  " #nopku= ok minflt=2\n"
	  "touch 1 0x300000120000 8K w	#pku= SIGSEGV at 0x300000120000 (SEGV_PKUERR) minflt=0"
	  " #nopku= SIGSEGV at 0x300000120000 (SEGV_ACCERR) minflt=0\n", NULL, 0 },
	{ "protection keys: execute-only memory, pkey_alloc, pkey_mprotect, pkey_free, fork", HEAD
	  "mmap 1 0x300000100000 16K PROT_EXEC " PRIV "\n"
	  "touch 1 0x300000100000 8K r	#pku= SIGSEGV at 0x300000100000 (SEGV_PKUERR) minflt=0"
	  " #nopku= ok minflt=2\n"
	  "touch 1 0x300000100000 4K w	#pku= SIGSEGV at 0x300000100000 (SEGV_PKUERR) minflt=0"
	  " #nopku= SIGSEGV at 0x300000100000 (SEGV_ACCERR) minflt=0\n"
	  "madvise 1 0x300000100000 16K MADV_POPULATE_READ	#= error EINVAL\n"
	  /* populating fails on the key: mlock is ENOMEM (and leaves it locked) */
	  "mlock 1 0x300000102000 8K	#pku= error ENOMEM #nopku= ok\n"
	  "mprotect 1 0x300000100000 16K PROT_READ|PROT_EXEC	#= ok\n"
	  "touch 1 0x300000100000 16K r	#pku= ok minflt=4 #nopku= ok minflt=0\n"
	  "mprotect 1 0x300000100000 8K PROT_EXEC	#= ok\n"
	  "touch 1 0x300000100000 16K r	#pku= SIGSEGV at 0x300000100000 (SEGV_PKUERR) minflt=0"
	  " #nopku= ok minflt=0\n"
	  /* the execute-only key took 1 */
	  "pkey_alloc 1	#pku= pkey 2 #nopku= error ENOSPC\n"
	  "pkey_alloc 1 0 PKEY_DISABLE_WRITE	#pku= pkey 3 #nopku= error ENOSPC\n"
	  "pkey_alloc 1 1	#= error EINVAL\n"
	  "pkey_alloc 1 0 4	#= error EINVAL\n"
	  "mmap 1 0x300000200000 16K " RW " " PRIV "\n"
	  "pkey_mprotect 1 0x300000200000 16K " RW " 3	#pku= ok #nopku= error EINVAL\n"
	  "touch 1 0x300000200000 16K r	#= ok minflt=4\n"
	  "touch 1 0x300000200000 4K w	#pku= SIGSEGV at 0x300000200000 (SEGV_PKUERR) minflt=0"
	  " #nopku= ok minflt=1\n"
	  "pkey_mprotect 1 0x300000200000 16K " RW " 1	#= error EINVAL\n"
	  "pkey_free 1 3	#pku= ok #nopku= error EINVAL\n"
	  "pkey_free 1 3	#= error EINVAL\n"
	  "pkey_mprotect 1 0x300000204000 4K PROT_READ 3	#= error EINVAL\n"
	  "pkey_mprotect 1 0x300000204000 0 PROT_READ 99	#= ok\n"	/* len 0: before the key */
	  "pkey_mprotect 1 0x300000204001 4K PROT_READ 99	#= error EINVAL\n"
	  "fork 1	#= pid 2\n"
	  "touch 2 0x300000100000 4K r	#pku= SIGSEGV at 0x300000100000 (SEGV_PKUERR) minflt=0"
	  " #nopku= ok minflt=1\n"
	  /* a freed key stays on its vmas, and in PKRU */
	  "touch 2 0x300000203000 4K w	#pku= SIGSEGV at 0x300000203000 (SEGV_PKUERR) minflt=0"
	  " #nopku= ok minflt=1\n"
	  "pkey_alloc 2	#pku= pkey 3 #nopku= error ENOSPC\n"
	  "pkey_free 1 -1	#= error EINVAL\n"
	  "cat /proc/1/maps\n"
	  "cat /proc/2/smaps\n", NULL, 0 },
	{ "the kernel chooses: top-down, THP-aligned 2 MiB multiples, hints rounded down", HEAD
	  "munmap 1 0x300001000000 48M\n"
	  "mmap 1 0 4096 " RW " MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300003fff000\n"
	  "mmap 1 0 4M " RW " MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300003a00000\n"
	  "mmap 1 0 12K " RW " MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300003ffc000\n"
	  "mmap 1 0x300001000123 4096 PROT_READ MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300001000000\n"
	  "mmap 1 0x300003fff000 8K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300003ffa000\n"
	  "mmap 1 0x300001100123 4096 PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE	#= error EINVAL\n"
	  "mmap 1 0 2M " RW " MAP_SHARED|MAP_ANONYMOUS\n"
	  "touch 1 0x300003a00000 64K w	#= ok minflt=16\n"
	  "mremap 1 0x300003a00000 4M 6M MREMAP_MAYMOVE	#= 0x300003200000\n"
	  "touch 1 0x300003200000 128K r	#= ok minflt=16\n"
	  "touch 1 0x300003a00000 4K r	#= SIGSEGV at 0x300003a00000 (SEGV_MAPERR) minflt=0\n"
	  "mremap 1 0x300003ffc000 12K 2M MREMAP_MAYMOVE	#= 0x300003c00000\n"
	  "mmap 1 0 0x2001 PROT_READ MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN	#= 0x300003ffc000\n"
	  "mmap 1 0 4096 PROT_READ MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300003ff9000\n"
	  "fork 1\n"
	  "mmap 2 0 8K PROT_READ MAP_PRIVATE|MAP_ANONYMOUS	#= 0x300003ff7000\n"
	  "cat /proc/1/maps\n"
	  "cat /proc/2/maps\n", NULL, DIFF_KERNEL_ADDR },
	{ "shared anonymous memory: writes fault once a page, a child's reads once per 64 KiB", HEAD
	  "mmap 1 0x300000100000 128K " RW " " SHARED "\n"
	  "touch 1 0x300000100000 64K w	#= ok minflt=16\n"
	  "touch 1 0x300000110000 32K r	#= ok minflt=8\n"
	  "touch 1 0x300000110000 32K w	#= ok minflt=0\n"
	  "fork 1	#= pid 2\n"
	  "touch 2 0x300000100000 64K r	#= ok minflt=1\n"
	  "touch 2 0x300000104000 4K w	#= ok minflt=0\n"
	  "touch 2 0x300000110000 64K r	#= ok minflt=9\n"
	  "write 2 0x300000100000 \"shared\"	#= ok minflt=0\n"
	  "read 1 0x300000100000 6	#= 73 68 61 72 65 64 minflt=0\n"
	  "fork 1	#= pid 3\n"
	  "touch 3 0x300000108000 4K r	#= ok minflt=1\n"
	  "touch 3 0x300000100000 128K r	#= ok minflt=1\n"
	  "fork 1	#= pid 4\n"
	  "touch 4 0x300000110000 4K w	#= ok minflt=1\n"
	  "touch 4 0x300000100000 128K w	#= ok minflt=31\n"
	  "cat /proc/4/maps\n", NULL, 0 },
	{ "shared anonymous memory past its end: SIGBUS", HEAD
	  "munmap 1 0x300000100000 1M\n"
	  "mmap 1 0x300000100000 16K " RW " " SHARED "\n"
	  "touch 1 0x300000100000 16K w	#= ok minflt=4\n"
	  "mremap 1 0x300000100000 16K 32K\n"
	  "touch 1 0x300000100000 32K r	#= SIGBUS at 0x300000104000 (BUS_ADRERR) minflt=0\n"
	  "read 1 0x300000103ffe 4	#= SIGBUS at 0x300000104000 (BUS_ADRERR) minflt=0\n", NULL, 0 },
	{ "populated memory: MAP_POPULATE, mlock, MADV_POPULATE_*: no fault later", HEAD
	  "mmap 1 0x300000100000 32K " RW " " PRIV "|MAP_POPULATE\n"
	  "touch 1 0x300000100000 32K w	#= ok minflt=0\n"
	  "mmap 1 0x300000200000 32K PROT_READ " PRIV "|MAP_POPULATE\n"
	  "touch 1 0x300000200000 32K r	#= ok minflt=0\n"
	  "mprotect 1 0x300000200000 32K " RW "\n"
	  "touch 1 0x300000200000 32K w	#= ok minflt=8\n"
	  "mmap 1 0x300000300000 32K " RW " " PRIV "\n"
	  "mlock 1 0x300000300000 32K\n"
	  "touch 1 0x300000300000 32K w	#= ok minflt=0\n"
	  "mmap 1 0x300000400000 32K " RW " " PRIV "\n"
	  "mlock2 1 0x300000400000 32K MLOCK_ONFAULT\n"
	  "touch 1 0x300000400000 32K r	#= ok minflt=8\n"
	  "touch 1 0x300000400000 32K w	#= ok minflt=8\n"
	  "mmap 1 0x300000500000 32K " RW " " PRIV "\n"
	  "madvise 1 0x300000500000 16K MADV_POPULATE_READ\n"
	  "madvise 1 0x300000504000 16K MADV_POPULATE_WRITE\n"
	  "touch 1 0x300000500000 32K r	#= ok minflt=0\n"
	  "touch 1 0x300000500000 32K w	#= ok minflt=4\n"
	  "mmap 1 0x300000600000 32K " RW " " SHARED "|MAP_POPULATE\n"
	  "touch 1 0x300000600000 32K w	#= ok minflt=0\n", NULL, 0 },
	{ "a stack grows down into a hole (MAP_GROWSDOWN)", HEAD
	  "munmap 1 0x300000100000 1M\n"
	  "mmap 1 0x300000200000 16K " RW " " PRIV "|MAP_GROWSDOWN\n"
	  "touch 1 0x3000001fe000 4K w	#= ok minflt=1\n"
	  "touch 1 0x3000001f0000 4K r	#= ok minflt=1\n"
	  "cat /proc/1/maps\n"
	  "touch 1 0x300000100000 4K r	#= ok minflt=1\n"
	  "touch 1 0x3000000ff000 4K r	#= SIGSEGV at 0x3000000ff000 (SEGV_ACCERR) minflt=0\n"
	  "cat /proc/1/maps\n", NULL, 0 },
	{ "guard regions: an access is SIGSEGV SEGV_MAPERR; fork keeps them", HEAD
	  "mmap 1 0x300000100000 192K " RW " " PRIV "\n"
	  "madvise 1 0x300000110000 64K MADV_GUARD_INSTALL\n"
	  "touch 1 0x300000100000 128K w	#= SIGSEGV at 0x300000110000 (SEGV_MAPERR) minflt=16\n"
	  "fork 1\n"
	  "touch 2 0x300000100000 128K r	#= SIGSEGV at 0x300000110000 (SEGV_MAPERR) minflt=0\n"
	  "madvise 1 0x300000110000 64K MADV_GUARD_REMOVE\n"
	  "touch 1 0x300000110000 4K r	#= ok minflt=1\n", NULL, 0 },

	/* ---- once known bugs, fixed since (each says what was wrong) -- */

	{ "fault-around from a vma that starts inside a 64 KiB block", HEAD
	  "mmap 1 0x300000100000 128K " RW " " SHARED "\n"
	  "touch 1 0x300000100000 128K w	#= ok minflt=32\n"
	  "munmap 1 0x300000100000 12K\n"
	  "fork 1\n"
	  "touch 2 0x300000103000 64K r	#= ok minflt=1\n",
	  NULL, 0 },	/* was: Linux clamps the 64 KiB block to the vma's start and maps 16 pages from there (do_fault_around: from_pte + nr_pages); the simulator clips the block, maps 13 and faults again at 0x300000110000 (minflt=2) */
	{ "anon_vma of a vma next to a forked one", HEAD
	  "mmap 1 0x300000100000 1M " RW "|PROT_EXEC " PRIV "\n"
	  "touch 1 0x300000180000 4K w\n"
	  "fork 1\n"
	  "mmap 2 0x300000100000 512K PROT_WRITE " PRIV "\n"
	  "touch 2 0x300000100000 4K w\n"
	  "mprotect 2 0x300000140000 512K PROT_WRITE\n"
	  "cat /proc/2/maps\n",
	  NULL, 0 },	/* was: the write gives the new vma the forked neighbour's anon_vma in the simulator (Linux's reusable_anon_vma wants a singular anon_vma_chain, which a forked vma has not), so the mprotect merges 0x300000100000-0x3000001c0000 where Linux keeps 0x300000180000 apart */
	{ "MADV_REMOVE of shared memory another process maps", HEAD
	  "mmap 1 0x300000100000 64K " RW " " SHARED "\n"
	  "write 1 0x300000100000 \"data\"\n"
	  "fork 1\n"
	  "read 2 0x300000100000 4	#= 64 61 74 61 minflt=1\n"
	  "madvise 1 0x300000100000 64K MADV_REMOVE\n"
	  "read 2 0x300000100000 4	#= 00 00 00 00 minflt=1\n"
	  "write 2 0x300000100000 \"more\"\n"
	  "read 1 0x300000100000 4	#= 6d 6f 72 65 minflt=1\n",
	  NULL, 0 },	/* was: the hole punch leaves the page mapped in pid 2, which keeps reading 'data' and writes 'more' into a page the object no longer has */
	{ "a stack that grew merges with the vma below it", HEAD
	  "mmap 1 0x3000000cf000 244K " RW " " PRIV "|MAP_GROWSDOWN\n"
	  "munmap 1 0x3000000fb000 12K\n"
	  "touch 1 0x3000000fb000 4K r	#= ok minflt=1\n"
	  "madvise 1 0x3000000e6000 152K MADV_DONTFORK\n"
	  "cat /proc/1/maps\n",
	  NULL, 0 },	/* was: expand_stack moves vm_pgoff down twice (vma_adjust_bounds already moves it), so 0x3000000fb000-0x30000010c000 does not merge with the vma below it as on Linux */
	{ "a failed stack growth still gives the stack an anon_vma", HEAD
	  "munmap 1 0x300000166000 2332K\n"
	  "mmap 1 0x3000001b6000 8300K PROT_READ " PRIV "|MAP_GROWSDOWN\n"
	  "touch 1 0x300000197000 4K w	#= SIGSEGV at 0x300000197000 (SEGV_MAPERR) minflt=0\n"
	  "munmap 1 0x3000003ff000 152K\n"
	  "mprotect 1 0x300000206000 0x1f9000 " RW "\n"
	  "touch 1 0x3000003fe000 8K w	#= SIGSEGV at 0x3000003ff000 (SEGV_ACCERR) minflt=1\n"
	  "mprotect 1 0x30000026d000 9144K " RW "|PROT_EXEC\n"
	  "cat /proc/1/maps\n",
	  NULL, 0 },	/* was: Linux's expand_downwards calls anon_vma_prepare before the stack limit refuses the growth, so both halves of the stack share one anon_vma and merge at the end; the simulator keeps them apart */
	{ "fork copies the guard markers of a shared mapping", HEAD
	  "mmap 1 0x300000100000 192K " RW " " SHARED "\n"
	  "madvise 1 0x300000110000 64K MADV_GUARD_INSTALL\n"
	  "touch 1 0x300000100000 64K r	#= ok minflt=16\n"
	  "fork 1\n"
	  "touch 2 0x300000100000 128K r	#= SIGSEGV at 0x300000110000 (SEGV_MAPERR) minflt=0\n",
	  NULL, 0 },	/* was: Linux copies the page tables of a vma with guard markers at fork (and with them the mapped pages); the simulator copies neither for a shared vma: the child faults the pages in (minflt=17) and passes the guard */
};

/*
 * The output pinned on a line ("#= OUTPUT", or the "#pku= " or "#nopku= "
 * one the host's features choose), in buf; false if none.
 */
static bool pinned(const char *line, char *buf, size_t size)
{
	const char *on = strstr(line, "#pku= "), *off = strstr(line, " #nopku= ");
	const char *pin = strstr(line, "#= ");

	/* The pins are a default Linux's counts, which has the zero page;
	 * on a host without it only the differential comparison holds. */
	if (!diff_host()->zero_page)
		return false;
	if (on && off) {
		if (diff_host()->pku)
			snprintf(buf, size, "%.*s", (int)(off - on - 6), on + 6);
		else
			snprintf(buf, size, "%s", off + 9);
		return true;
	}
	if (!pin)
		return false;
	snprintf(buf, size, "%s", pin + 3);
	return true;
}

/* Checks the pinned lines against what the host printed. */
static int check_pins(const char *name, const struct script *s, const struct outputs *host)
{
	char pin[256];
	int bad = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		size_t n;

		if (!pinned(s->line[i], pin, sizeof(pin)))
			continue;
		n = strlen(pin);
		if (strncmp(host->line[i], pin, n) || strcmp(host->line[i] + n, "\n")) {
			fprintf(stderr, "  %s, line %u: %s\n  --- Linux was expected to print:\n%s\n"
				"  --- the host printed:\n%s", name, i + 1, s->line[i], pin,
				host->line[i]);
			bad++;
		}
	}
	return bad;
}

/* Runs one scenario both ways: 0 if every line matches. */
static int run_scenario(const struct scenario *sc)
{
	struct script s;
	struct outputs host = { 0 }, sim = { 0 };
	char *text = strdup(sc->text);
	int bad;

	if (!text)
		abort();
	script_from_text(&s, text);
	bad = run_host(&s, &host, false, DIFF_FAULTS | sc->mode) != 0;
	if (bad) {
		fprintf(stderr, "  %s: the host executor failed or refused a line\n", sc->name);
	} else {
		run_sim(&s, &sim, DIFF_FAULTS | sc->mode);
		bad = check_pins(sc->name, &s, &host);
		if (compare(sc->name, &s, &host, &sim, true)) {
			write_sim_script(sc->name, &sim, true);
			bad++;
		}
	}
	outputs_free(&host);
	outputs_free(&sim);
	script_free(&s);
	return bad;
}

TEST(fault_scenarios_match_the_host)
{
	bool known = harness_env("KMM_TEST_KNOWN", 0);
	size_t i, run = 0, failed = 0, skipped = 0;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *sc = &scenarios[i];

		if (sc->known_bug && !known) {
			skipped++;
			continue;
		}
		/* Pages read before fork are real pages on a kernel without
		 * the zero page, and its smaps calls the child's Referenced,
		 * which the simulator does not model (its PTEs are old). */
		if (!diff_host()->zero_page && strstr(sc->name, "protection keys")) {
			printf("  skipped on this host (no zero page: the child's Referenced of pages read "
			       "before fork is not modelled): %s\n", sc->name);
			skipped++;
			continue;
		}
		run++;
		if (run_scenario(sc)) {
			failed++;
			fprintf(stderr, "  differs: %s%s%s\n", sc->name,
				sc->known_bug ? "\n  KNOWN BUG: " : "",
				sc->known_bug ? sc->known_bug : "");
		}
	}
	printf("  %zu scenarios compared with the host kernel, %zu known bugs left out (KMM_TEST_KNOWN=1 runs them)\n",
	       run, skipped);
	if (failed)
		TEST_FAIL_("%zu of %zu scenarios differ from the host", failed, run);
}

/*
 * The host's `ulimit -l` is what mlock meets on both sides, not a value
 * the test assumes: run as if started under `ulimit -l 64`, 64 KiB may be
 * locked and no more, on the host and in the simulator alike.
 */
TEST(mlock_meets_the_hosts_ulimit_l)
{
	static const struct scenario sc = { "mlock under ulimit -l 64", HEAD
		"mmap 1 0x300000100000 256K " RW " " PRIV "\n"
		"mlock 1 0x300000100000 32K	#= ok\n"
		"mlock 1 0x300000108000 64K	#= error ENOMEM\n"
		"mlock 1 0x300000108000 32K	#= ok\n"
		"mlock2 1 0x300000110000 4K MLOCK_ONFAULT	#= error ENOMEM\n"
		"munlock 1 0x300000100000 16K	#= ok\n"
		"mlock2 1 0x300000110000 16K MLOCK_ONFAULT	#= ok\n"
		"touch 1 0x300000100000 128K w	#= ok minflt=16\n", NULL, 0 };
	struct rlimit saved, low;
	char lines[8][96];
	int i, n, found = 0;

	ASSERT_EQ(getrlimit(RLIMIT_MEMLOCK, &saved), 0);
	if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < (64ul << 10)) {
		printf("  skipped: the hard RLIMIT_MEMLOCK is below 64 KiB\n");
		return;
	}
	low = (struct rlimit){ 64ul << 10, saved.rlim_max };
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &low), 0);
	diff_features_read = false;		/* read the limit again */
	host_features_print(diff_host(), stdout);
	n = host_features_setup_lines(diff_host(), lines, 8);
	for (i = 0; i < n; i++)
		found += !strcmp(lines[i], "prlimit 1 RLIMIT_MEMLOCK 65536");
	i = run_scenario(&sc);
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &saved), 0);
	diff_features_read = false;
	ASSERT_EQ(found, 1);
	ASSERT_EQ(i, 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	host_features_print(diff_host(), stdout);
	RUN_TEST(fault_scenarios_match_the_host);
	RUN_TEST(mlock_meets_the_hosts_ulimit_l);
	return harness_summary();
}
