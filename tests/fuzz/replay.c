/*
 * replay.c - run a fuzz target (fuzz_request.c, fuzz_scrypt.c) once on each file
 * named on the command line, without libFuzzer: `make unit` builds it with
 * the project's compiler, plain or under the sanitizers, and
 * tests/fuzz/replay.sh feeds it the committed corpus and regressions.
 *
 *	fuzz_replay [-v] FILE...
 *
 * Prints "replayed FILE (N bytes)" after each file; -v also prints the
 * outcome of each (error code, client address, status line) on stderr.  A failed check aborts
 * (the sanitizers report and stop likewise); exit 2 when a file cannot be
 * read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern int fuzz_verbose;

/* The whole of path in a malloc'd buffer (*size bytes), or NULL. */
static uint8_t *
slurp(const char *path, size_t *size)
{
	FILE	*fp;
	uint8_t	*buf = NULL, *nbuf;
	size_t	 cap = 0, n;

	*size = 0;
	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (*size == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = fread(buf + *size, 1, cap - *size, fp);
		*size += n;
		if (n == 0)
			break;
	}
	if (ferror(fp))
		goto fail;
	fclose(fp);
	return buf;
fail:
	free(buf);
	fclose(fp);
	return NULL;
}

int
main(int argc, char *argv[])
{
	uint8_t	*buf;
	size_t	 size;
	int	 i = 1;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		fuzz_verbose = 1;
		i++;
	}
	if (i == argc) {
		fprintf(stderr, "usage: fuzz_replay [-v] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if ((buf = slurp(argv[i], &size)) == NULL) {
			perror(argv[i]);
			return 2;
		}
		LLVMFuzzerTestOneInput(buf, size);
		free(buf);
		printf("replayed %s (%zu bytes)\n", argv[i], size);
		fflush(stdout);
	}
	return 0;
}
