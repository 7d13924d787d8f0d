/*
 * bench_scrypt.c - one password check by the project's scrypt core
 * (lib/scrypt.c, every dispatch path this CPU runs, and AUTO, which the
 * service uses) against libsodium's crypto_pwhash_scryptsalsa208sha256_ll,
 * libscrypt's libscrypt_scrypt and OpenSSL's EVP_PBE_scrypt.
 *
 *   bench_scrypt [K]
 *   bench_scrypt -t N r p K
 *   bench_scrypt -P PROCS N r p K
 *
 * Each contender runs in a process of its own, kept for the whole run, as
 * a responder keeps its process: after one untimed warm-up check, K
 * rounds of one check by each, in an order that rotates every round so
 * that all see the same noise.  Every round's outputs must be
 * byte-identical, or the program fails.  For each contender it prints
 * the median and minimum ms of a check, the minor page faults per check
 * (getrusage, after the warm-up), its resident set right after its last
 * check (rss_busy_kib), its peak (rss_peak_kib, ru_maxrss) and after
 * letting go (rss_idle_kib: for ours after scrypt_idle(), which the
 * responder calls after a second without a request; the libraries free
 * their buffer at every check).  Then the fastest by median and the path
 * AUTO takes at this p:
 *
 *	scrypt ours N=32768 r=8 p=3 median_ms=70.20 min_ms=68.10
 *	    faults_per_check=0.0 rss_busy_kib=100412 rss_peak_kib=100412
 *	    rss_idle_kib=3580		(one line)
 *	...
 *	scrypt fastest ours median_ms=70.20
 *	scrypt path ours=avx512 p=3
 *
 * With no option: -t at N=16384 r=8 p=1 with K checks (default 20), then
 * at the configured default N=32768 r=8 p=3 with K/4 (at least 1).
 *
 * With -P: PROCS processes at once, each making K checks with ours (as
 * PROCS responder workers do under load); prints the checks per second
 * all of them made together:
 *
 *	scrypt parallel ours procs=2 checks=10 wall_ms=1700.00 per_s=5.88
 *
 * Exit status: 0 done, 1 mismatch or failure, 2 usage.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libscrypt.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "scrypt.h"

#define OUT_LEN		64	/* bytes of one hash, as lib/passwd.c */
#define SALT_LEN	16
#define ROUNDS_MAX	1000	/* K of -t */
#define CONTENDERS_MAX	(SCRYPT_PATH_COUNT + 3)

struct cost {
	uint64_t	 N;
	uint32_t	 r;
	uint32_t	 p;
};

/* What the parent asks a contender's process: one check, or its memory. */
struct ask {
	int		 what;		/* ASK_CHECK, ASK_MEM, ASK_END */
	uint8_t		 salt[SALT_LEN];
	char		 pw[32];
};
enum { ASK_CHECK, ASK_MEM, ASK_END };

struct answer {
	double		 ms;		/* -1: failed */
	long		 minflt;
	uint8_t		 out[OUT_LEN];
	long		 rss_busy, rss_peak, rss_idle;	/* KiB */
};

/* One contender: its name, its check (ours: path forced first). */
struct contender {
	char		 name[32];
	int		 path;		/* enum scrypt_path, or -1 for a library */
	int		 (*fn)(const char *, const uint8_t *,
			    const struct cost *, uint8_t *);
	pid_t		 pid;
	int		 to, from;	/* pipes to and from its process */
	double		 t[ROUNDS_MAX];
	double		 faults;
};

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
do_ours(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{

	return scrypt_kdf((const uint8_t *)pw, strlen(pw), salt, SALT_LEN,
	    c->N, c->r, c->p, out, OUT_LEN);
}

static int
do_libsodium(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{

	return crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pw,
	    strlen(pw), salt, SALT_LEN, c->N, c->r, c->p, out, OUT_LEN);
}

static int
do_libscrypt(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{

	return libscrypt_scrypt((const uint8_t *)pw, strlen(pw), salt,
	    SALT_LEN, c->N, c->r, c->p, out, OUT_LEN);
}

static int
do_openssl(const char *pw, const uint8_t *salt, const struct cost *c,
    uint8_t *out)
{

	/* maxmem: room for 128 * N * r * (p + 2) bytes and more */
	return EVP_PBE_scrypt(pw, strlen(pw), salt, SALT_LEN, c->N, c->r,
	    c->p, (uint64_t)1 << 32, out, OUT_LEN) == 1 ? 0 : -1;
}

/* VmRSS of this process in KiB, or -1. */
static long
rss_kib(void)
{
	char	 line[256];
	long	 v = -1;
	FILE	*f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static long
minflt(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int
full_read(int fd, void *buf, size_t n)
{
	ssize_t	 got;
	size_t	 off = 0;

	while (off < n) {
		if ((got = read(fd, (char *)buf + off, n - off)) <= 0)
			return -1;
		off += (size_t)got;
	}
	return 0;
}

/* The contender's process: answers asks on fd in until ASK_END. */
static void
serve_asks(const struct contender *k, const struct cost *c, int in, int out)
{
	struct ask	 a;
	struct answer	 r;
	struct rusage	 ru;
	double		 t0;
	long		 f0;

	if (k->path >= 0 && scrypt_path_set((enum scrypt_path)k->path) != 0)
		_exit(1);
	while (full_read(in, &a, sizeof(a)) == 0 && a.what != ASK_END) {
		memset(&r, 0, sizeof(r));
		if (a.what == ASK_CHECK) {
			f0 = minflt();
			t0 = now_ms();
			r.ms = k->fn(a.pw, a.salt, c, r.out) == 0 ?
			    now_ms() - t0 : -1;
			r.minflt = minflt() - f0;
		} else {
			r.rss_busy = rss_kib();
			getrusage(RUSAGE_SELF, &ru);
			r.rss_peak = ru.ru_maxrss;
			if (k->path >= 0)
				scrypt_idle();
			r.rss_idle = rss_kib();
		}
		if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
	}
	_exit(0);
}

/* Start k's process.  Returns 0 or -1. */
static int
start(struct contender *k, const struct cost *c)
{
	int	 down[2], up[2];

	if (pipe(down) == -1 || pipe(up) == -1)
		return -1;
	fflush(stdout);
	if ((k->pid = fork()) == -1)
		return -1;
	if (k->pid == 0) {
		close(down[1]);
		close(up[0]);
		serve_asks(k, c, down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	k->to = down[1];
	k->from = up[0];
	return 0;
}

/* One ask to k and its answer.  Returns 0 or -1. */
static int
ask(struct contender *k, const struct ask *a, struct answer *r)
{

	if (write(k->to, a, sizeof(*a)) != (ssize_t)sizeof(*a) ||
	    full_read(k->from, r, sizeof(*r)) == -1)
		return -1;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The -t timer: one process per contender, k rounds, outputs compared;
 * prints one line per contender, the fastest and AUTO's path.  Returns
 * 0 or -1.
 */
static int
timer(const struct cost *c, int k)
{
	static struct contender	 cs[CONTENDERS_MAX];
	struct ask		 a;
	struct answer		 r;
	uint8_t			 first[OUT_LEN];
	double			 med, best_med = 0;
	int			 n = 0, i, j, m, best = 0, bad = 0, st;

	for (i = 1; i < SCRYPT_PATH_COUNT; i++)
		if (scrypt_path_supported((enum scrypt_path)i)) {
			snprintf(cs[n].name, sizeof(cs[n].name), "ours-%s",
			    scrypt_path_name((enum scrypt_path)i));
			cs[n].path = i;
			cs[n++].fn = do_ours;
		}
	snprintf(cs[n].name, sizeof(cs[n].name), "ours");
	cs[n].path = SCRYPT_PATH_AUTO;
	cs[n++].fn = do_ours;
	snprintf(cs[n].name, sizeof(cs[n].name), "libsodium");
	cs[n].path = -1;
	cs[n++].fn = do_libsodium;
	snprintf(cs[n].name, sizeof(cs[n].name), "libscrypt");
	cs[n].path = -1;
	cs[n++].fn = do_libscrypt;
	snprintf(cs[n].name, sizeof(cs[n].name), "openssl");
	cs[n].path = -1;
	cs[n++].fn = do_openssl;
	for (j = 0; j < n; j++) {
		cs[j].faults = 0;
		if (start(&cs[j], c) == -1) {
			perror("bench_scrypt: start");
			return -1;
		}
	}

	memset(&a, 0, sizeof(a));
	for (i = -1; i < k && !bad; i++) {
		a.what = ASK_CHECK;
		randombytes_buf(a.salt, sizeof(a.salt));
		snprintf(a.pw, sizeof(a.pw), "bench password %d", i);
		for (j = 0; j < n && !bad; j++) {
			m = (j + (i < 0 ? 0 : i)) % n;
			if (ask(&cs[m], &a, &r) == -1 || r.ms < 0) {
				fprintf(stderr, "bench_scrypt: %s failed\n",
				    cs[m].name);
				bad = 1;
				break;
			}
			if (j == 0)
				memcpy(first, r.out, OUT_LEN);
			else if (memcmp(first, r.out, OUT_LEN) != 0) {
				fprintf(stderr, "bench_scrypt: %s: outputs "
				    "differ\n", cs[m].name);
				bad = 1;
			}
			if (i >= 0) {
				cs[m].t[i] = r.ms;
				cs[m].faults += r.minflt;
			}
		}
	}
	for (j = 0; j < n; j++) {
		memset(&a, 0, sizeof(a));
		a.what = ASK_MEM;
		if (!bad && ask(&cs[j], &a, &r) == 0) {
			qsort(cs[j].t, (size_t)k, sizeof(cs[j].t[0]),
			    cmp_double);
			med = k % 2 ? cs[j].t[k / 2] :
			    (cs[j].t[k / 2 - 1] + cs[j].t[k / 2]) / 2;
			printf("scrypt %s N=%" PRIu64 " r=%" PRIu32 " p=%" PRIu32
			    " median_ms=%.2f min_ms=%.2f faults_per_check=%.1f"
			    " rss_busy_kib=%ld rss_peak_kib=%ld"
			    " rss_idle_kib=%ld\n", cs[j].name, c->N, c->r,
			    c->p, med, cs[j].t[0], cs[j].faults / k,
			    r.rss_busy, r.rss_peak, r.rss_idle);
			if (j == 0 || med < best_med) {
				best = j;
				best_med = med;
			}
		}
		a.what = ASK_END;
		(void)write(cs[j].to, &a, sizeof(a));
		close(cs[j].to);
		close(cs[j].from);
		if (waitpid(cs[j].pid, &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad = 1;
	}
	if (bad)
		return -1;
	printf("scrypt fastest %s median_ms=%.2f\n", cs[best].name, best_med);
	printf("scrypt path ours=%s p=%" PRIu32 "\n",
	    scrypt_path_name(scrypt_path_used(c->p)), c->p);
	return 0;
}

/*
 * The -P measure: procs processes each make k checks with ours at cost
 * c, all started together; prints the checks per second of the whole.
 * Returns 0 or -1.
 */
static int
parallel(const struct cost *c, int procs, int k)
{
	uint8_t		 salt[SALT_LEN], out[OUT_LEN];
	double		 t0, wall;
	pid_t		 pid;
	int		 i, j, st, bad = 0;

	fflush(stdout);
	t0 = now_ms();
	for (i = 0; i < procs; i++) {
		if ((pid = fork()) == -1) {
			perror("bench_scrypt: fork");
			bad = 1;
			break;
		}
		if (pid == 0) {
			for (j = 0; j < k; j++) {
				randombytes_buf(salt, sizeof(salt));
				if (do_ours("bench password", salt, c,
				    out) != 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	wall = now_ms() - t0;
	if (bad) {
		fprintf(stderr, "bench_scrypt: a parallel check failed\n");
		return -1;
	}
	printf("scrypt parallel ours procs=%d checks=%d wall_ms=%.2f "
	    "per_s=%.2f\n", procs, procs * k, wall, procs * k / (wall / 1e3));
	return 0;
}

/* A decimal argument in [lo, hi] into *v; -1 if it is not one. */
static int
arg_num(const char *s, long lo, long hi, long *v)
{
	char	*end;

	*v = strtol(s, &end, 10);
	return end == s || *end != '\0' || *v < lo || *v > hi ? -1 : 0;
}

/* N r p from argv[0..2] into c; -1 if they are not a cost. */
static int
arg_cost(char *const *argv, struct cost *c)
{
	long	 n, r, p;

	if (arg_num(argv[0], 2, 1L << 24, &n) == -1 || (n & (n - 1)) != 0 ||
	    arg_num(argv[1], 1, 64, &r) == -1 ||
	    arg_num(argv[2], 1, 64, &p) == -1)
		return -1;
	c->N = (uint64_t)n;
	c->r = (uint32_t)r;
	c->p = (uint32_t)p;
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct cost	 c16k = { 16384, 8, 1 };
	static const struct cost	 cdef = { 32768, 8, 3 };
	struct cost			 c;
	long				 k = 20, procs;

	if (sodium_init() < 0) {
		fprintf(stderr, "bench_scrypt: sodium_init failed\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "-P") == 0) {
		if (argc != 7 || arg_num(argv[2], 1, 256, &procs) == -1 ||
		    arg_cost(argv + 3, &c) == -1 ||
		    arg_num(argv[6], 1, ROUNDS_MAX, &k) == -1)
			goto usage;
		return parallel(&c, (int)procs, (int)k) == 0 ? 0 : 1;
	}
	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		if (argc != 6 || arg_cost(argv + 2, &c) == -1 ||
		    arg_num(argv[5], 1, ROUNDS_MAX, &k) == -1)
			goto usage;
		return timer(&c, (int)k) == 0 ? 0 : 1;
	}
	if (argc > 2 || (argc == 2 &&
	    arg_num(argv[1], 1, ROUNDS_MAX, &k) == -1))
		goto usage;
	if (timer(&c16k, (int)k) == -1)
		return 1;
	if (timer(&cdef, k / 4 > 0 ? (int)(k / 4) : 1) == -1)
		return 1;
	return 0;
usage:
	fprintf(stderr, "usage: bench_scrypt [K]\n"
	    "       bench_scrypt -t N r p K\n"
	    "       bench_scrypt -P PROCS N r p K\n");
	return 2;
}
