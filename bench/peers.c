/*
 * bench/peers.c - the malloc peers, loaded privately, and the helpers every
 * benchmark shares (bench/peers.h).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "peers.h"

#ifdef HAVE_MIMALLOC
#include <mimalloc.h>
#endif
#ifdef HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#ifdef HAVE_TCMALLOC
#include <gperftools/tcmalloc.h>
#endif

/* glibc's own entry points: whatever malloc the process uses, these are glibc. */
extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);

/* The dlsym'd pointers must have the types the peers' headers declare. */
#define CHECK_PROTO(fn, type) \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&fn), type), #fn)
#ifdef HAVE_MIMALLOC
CHECK_PROTO(mi_malloc, malloc_fn);
CHECK_PROTO(mi_free, free_fn);
#endif
#ifdef HAVE_JEMALLOC
CHECK_PROTO(mallocx, mallocx_fn);
CHECK_PROTO(dallocx, dallocx_fn);
#endif
#ifdef HAVE_TCMALLOC
CHECK_PROTO(tc_malloc, malloc_fn);
CHECK_PROTO(tc_free, free_fn);
#endif

struct peer peers[NR_PEERS] = {
	[PEER_MIMALLOC] = { .name = "mimalloc", .alloc_sym = "mi_malloc", .free_sym = "mi_free" },
	/* jemalloc's fast path is malloc/free; mallocx takes the generic one. */
	[PEER_JEMALLOC] = { .name = "jemalloc", .alloc_sym = "malloc", .free_sym = "free" },
	[PEER_JEMALLOCX] = { .name = "jemallocx", .x = true,
			     .alloc_sym = "mallocx", .free_sym = "dallocx" },
	[PEER_TCMALLOC] = { .name = "tcmalloc", .alloc_sym = "tc_malloc", .free_sym = "tc_free" },
	[PEER_GLIBC] = { .name = "glibc", .alloc_sym = "__libc_malloc", .free_sym = "__libc_free" },
};

static bool reexeced;

static const char *const __maybe_unused tls_tunable = "glibc.rtld.optional_static_tls";

/*
 * jemalloc keeps 2.6 KiB of initial-exec TLS, more than glibc reserves for
 * libraries opened later, so its dlopen fails with "cannot allocate memory
 * in static TLS block".  The reserve is a tunable read at process start:
 * set it and run this program again, once.
 */
static __maybe_unused void reexec_with_static_tls(char **argv)
{
	const char *old = getenv("GLIBC_TUNABLES");
	char val[1024];

	if (old && strstr(old, tls_tunable))
		return;		/* already set (by us or by the user) */
	snprintf(val, sizeof(val), "%s%s%s=16384", old ? old : "",
		 old ? ":" : "", tls_tunable);
	setenv("GLIBC_TUNABLES", val, 1);
	setenv("KMM_BENCH_REEXEC", "1", 1);
	fflush(NULL);
	execv("/proc/self/exe", argv);
	/* exec failed: carry on, jemalloc stays n/a */
}

/* Opens a peer's library privately: it does not become the process's malloc. */
static __maybe_unused void *open_peer(struct peer *p, const char *path, char **argv)
{
	void *lib;

	if (p->missing[0])
		return NULL;
	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib && strstr(dlerror() ?: "", "static TLS")) {
		reexec_with_static_tls(argv);
		lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	}
	if (!lib)
		snprintf(p->missing, sizeof(p->missing), "dlopen: %s", dlerror());
	return lib;
}

/* Looks up the peer's entry points in lib; sets p->missing if one is absent. */
static __maybe_unused void bind_peer(struct peer *p, void *lib)
{
	void *alloc = dlsym(lib, p->alloc_sym), *release = dlsym(lib, p->free_sym);

	if (!alloc || !release) {
		snprintf(p->missing, sizeof(p->missing), "%s or %s not in the library",
			 p->alloc_sym, p->free_sym);
		return;
	}
	if (p->x) {
		p->mallocx = (mallocx_fn)alloc;
		p->dallocx = (dallocx_fn)release;
	} else {
		p->malloc = (malloc_fn)alloc;
		p->free = (free_fn)release;
	}
	p->entry = alloc;
	p->lib = lib;
}

static void set_missing(struct peer *p, const char *why)
{
	if (!p->missing[0])
		snprintf(p->missing, sizeof(p->missing), "%s", why);
}

static void load_mimalloc(struct peer *p, char **argv)
{
#ifdef HAVE_MIMALLOC
	void *lib = open_peer(p, MIMALLOC_PATH, argv);
	int (*version)(void);

	if (!lib)
		return;
	bind_peer(p, lib);
	version = (int (*)(void))dlsym(lib, "mi_version");
	if (version)
		snprintf(p->version, sizeof(p->version), "%d.%d.%d",
			 version() / 100, version() / 10 % 10, version() % 10);
#else
	(void)argv;
	set_missing(p, "not found at configure time");
#endif
}

static void load_jemalloc(struct peer *p, struct peer *px, char **argv)
{
#ifdef HAVE_JEMALLOC
	void *lib = open_peer(p, JEMALLOC_PATH, argv);
	int (*ctl)(const char *, void *, size_t *, void *, size_t);
	const char *v;
	size_t len = sizeof(v);

	if (!lib) {
		set_missing(px, p->missing);
		return;
	}
	bind_peer(p, lib);
	bind_peer(px, lib);
	ctl = (int (*)(const char *, void *, size_t *, void *, size_t))dlsym(lib, "mallctl");
	if (ctl && !ctl("version", &v, &len, NULL, 0)) {
		/* "5.3.0-0-g54eaed1d8b5": the release is enough */
		snprintf(p->version, sizeof(p->version), "%.*s", (int)strcspn(v, "-"), v);
		snprintf(px->version, sizeof(px->version), "%s", p->version);
	}
#else
	(void)argv;
	set_missing(p, "not found at configure time");
	set_missing(px, "not found at configure time");
#endif
}

static void load_tcmalloc(struct peer *p, char **argv)
{
#ifdef HAVE_TCMALLOC
	void *lib = open_peer(p, TCMALLOC_PATH, argv);
	const char *(*version)(int *, int *, const char **);
	int major, minor;
	const char *patch;

	if (!lib)
		return;
	bind_peer(p, lib);
	version = (const char *(*)(int *, int *, const char **))dlsym(lib, "tc_version");
	if (version) {
		version(&major, &minor, &patch);
		snprintf(p->version, sizeof(p->version), "%d.%d%.8s", major, minor,
			 patch ?: "");
	}
#else
	(void)argv;
	set_missing(p, "not found at configure time");
#endif
}

void peers_load(char **argv)
{
	struct peer *p = &peers[PEER_GLIBC];

#ifdef KMM_SANITIZED
	/* Figures mean nothing here, and the peers' own leaks would be reported. */
	for_each_peer(p)
		if (p != &peers[PEER_GLIBC])
			set_missing(p, "not loaded in a sanitized build");
	p = &peers[PEER_GLIBC];
#endif
	load_mimalloc(&peers[PEER_MIMALLOC], argv);
	load_jemalloc(&peers[PEER_JEMALLOC], &peers[PEER_JEMALLOCX], argv);
	load_tcmalloc(&peers[PEER_TCMALLOC], argv);
	p->malloc = __libc_malloc;	/* linked: resolved in libc, see provenance */
	p->free = __libc_free;
	p->entry = (const void *)__libc_malloc;
	snprintf(p->version, sizeof(p->version), "%s", gnu_get_libc_version());
	reexeced = getenv("KMM_BENCH_REEXEC") != NULL;
	unsetenv("KMM_BENCH_REEXEC");
}

void peers_print_reexec(void)
{
	if (reexeced)
		printf("# re-executed with GLIBC_TUNABLES=%s (room for jemalloc's static TLS)\n",
		       getenv("GLIBC_TUNABLES"));
}

void *peer_sym(const struct peer *p, const char *name)
{
	if (p->missing[0] || !p->lib)
		return NULL;
	return dlsym(p->lib, name);
}

static void print_origin(const char *name, const char *version, const char *sym,
			 const void *entry)
{
	char path[PATH_MAX];
	Dl_info info;

	if (!dladdr(entry, &info) || !realpath(info.dli_fname, path))
		snprintf(path, sizeof(path), "?");
	printf("#   %-9s %-8s %-13s @ %p in %s\n", name, version, sym, entry, path);
}

void print_provenance(const struct kmm_entry *kmm, int nr_kmm)
{
	const void *process_malloc = dlsym(RTLD_DEFAULT, "malloc");
	const struct peer *p;
	Dl_info info;
	int i;

	printf("# code each row calls (dladdr of the entry point, then realpath):\n");
	for (i = 0; i < nr_kmm; i++)
		print_origin(kmm[i].name, "libkmm.a", kmm[i].sym, kmm[i].addr);
	for_each_peer(p) {
		if (p->skipped)
			continue;
		if (p->missing[0])
			printf("#   %-9s n/a: %s\n", p->name, p->missing);
		else
			print_origin(p->name, p->version, p->alloc_sym, p->entry);
	}
	if (process_malloc && dladdr(process_malloc, &info))
		printf("#   the process's malloc stays in %s (peers are opened RTLD_LOCAL)\n",
		       info.dli_fname);
}

/* ------------------------------------------------------------------ */
/* Timing, the machine, kmm threads                                   */
/* ------------------------------------------------------------------ */

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median_spread(double *v, int n, double *spread)
{
	double median;

	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	median = v[n / 2];
	*spread = median ? (v[n - 1] - v[0]) / median : 0;
	return median;
}

void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = 0;
			break;
		}
	}
	fclose(f);
}

int bench_usable_cpus(int *cpus)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

void run_on_kmm_thread(void *(*fn)(void *), void *arg)
{
	pthread_t tid;

	if (pthread_create(&tid, NULL, fn, arg)) {
		perror("pthread_create");
		exit(1);
	}
	pthread_join(tid, NULL);
}

void kmm_shrink_all_caches(void)
{
	static char buf[1 << 16];
	char *line, *save;

	if (kmm_proc_read("/proc/slabinfo", buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];
		struct kmem_cache *s;

		if (sscanf(line, "%63s", name) == 1 && (s = kmem_cache_find(name)))
			kmem_cache_shrink(s);
	}
}

int bench_peer_rounds(int reps, int nr_rows, int nr_variants,
		      double (*run)(void *arg, int row, int variant), void *arg,
		      double *median, double *spread)
{
	int nr = nr_rows * nr_variants;
	double *runs = malloc(sizeof(*runs) * (size_t)nr * (size_t)reps);

	if (!runs)
		return -1;
	/* runs[(row * nr_variants + v) * reps + r]: each one's reps in a row. */
	for (int r = 0; r < reps; r++)
		for (int row = 0; row < nr_rows; row++)
			for (int w = 0; w < nr_variants; w++) {
				int v = (w + r) % nr_variants;

				runs[(row * nr_variants + v) * reps + r] = run(arg, row, v);
			}
	for (int i = 0; i < nr; i++)
		median[i] = median_spread(runs + i * reps, reps, &spread[i]);
	free(runs);
	return 0;
}

int bench_simple_options(int argc, char **argv, const char *name, int max_reps,
			 double quick_scale, int *reps, double *scale)
{
	for (int i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--quick")) {
			*reps = 3;
			*scale *= quick_scale;
		} else if (!strcmp(argv[i], "--reps") && val) {
			*reps = atoi(val), i++;
		} else if (!strcmp(argv[i], "--scale") && val) {
			*scale *= atof(val), i++;
		} else {
			fprintf(stderr, "usage: %s [--quick] [--reps R (1..%d)] [--scale F]\n",
				name, max_reps);
			return 2;
		}
	}
	if (*reps < 1 || *reps > max_reps || !(*scale > 0)) {
		fprintf(stderr, "%s: --reps must be 1..%d and --scale positive\n", name, max_reps);
		return 2;
	}
	return 0;
}
