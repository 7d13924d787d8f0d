/*
 * bench_formats.c - the time of one password check (pw_check, the path a
 * login takes) for stored hashes of each format: bench/formats.sh makes
 * them with the real tools and passes them here.
 *
 *   bench_formats K PASSWORD HASH...
 *
 * For each HASH: K checks of PASSWORD, which must match every time (else
 * exit 1).  A HASH of the form scrypt:N:r:p stands for a $s1$ hash of
 * PASSWORD that pw_hash makes at that cost (the service's own, as a login
 * re-hashes it, and the cost of the dummy check of an unknown user).
 * Prints one line per hash, in the order given:
 *
 *	format=bcrypt median_ms=1.920 min_ms=1.700 hash=$2y$05$
 *
 * The hash is shown up to the end of its settings (the salt and the hash
 * proper are left out).  Exit status: 0 done, 1 a check did not match,
 * 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "passwd.h"

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* How many characters of h to show: up to its last '$' but one (the salt
 * and hash proper are dropped), or its first 5 for {SHA}. */
static int
settings_len(const char *h)
{
	const char	*last, *p;

	if (strncmp(h, "{SHA}", 5) == 0)
		return 5;
	if ((last = strrchr(h, '$')) == NULL)
		return 0;
	for (p = last - 1; p > h && *p != '$'; p--)
		continue;
	/* bcrypt keeps salt and hash in one field after "$2y$05$". */
	if (strncmp(h, "$2", 2) == 0)
		return 7;
	return (int)(p - h) + 1;
}

int
main(int argc, char *argv[])
{
	struct pw_cost	 c;
	double		*ms;
	double		 t0;
	const char	*pw, *h;
	char		 mcf[PW_MCF_MAX];
	unsigned long long n;
	unsigned	 r, p;
	int		 k, i, j;

	if (argc < 4 || (k = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: bench_formats K PASSWORD HASH...\n");
		return 2;
	}
	pw = argv[2];
	if ((ms = calloc((size_t)k, sizeof(*ms))) == NULL)
		return 1;
	for (i = 3; i < argc; i++) {
		h = argv[i];
		if (sscanf(h, "scrypt:%llu:%u:%u", &n, &r, &p) == 3) {
			c.N = n;
			c.r = r;
			c.p = p;
			if (pw_hash(pw, strlen(pw), &c, mcf) == -1) {
				fprintf(stderr, "bench_formats: cannot hash "
				    "at %s\n", h);
				free(ms);
				return 1;
			}
			h = mcf;
		}
		for (j = 0; j < k; j++) {
			t0 = now_ms();
			if (pw_check(h, pw, strlen(pw), NULL) != PW_MATCH) {
				fprintf(stderr, "bench_formats: no match: "
				    "%s\n", h);
				free(ms);
				return 1;
			}
			ms[j] = now_ms() - t0;
		}
		qsort(ms, (size_t)k, sizeof(*ms), cmp_double);
		printf("format=%s median_ms=%.3f min_ms=%.3f hash=%.*s\n",
		    pw_format(h), ms[k / 2], ms[0], settings_len(h), h);
	}
	free(ms);
	return 0;
}
