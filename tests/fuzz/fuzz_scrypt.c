/*
 * fuzz_scrypt.c - libFuzzer target for lib/scrypt.c: scrypt_kdf on small
 * costs with the input's password, salt, output length and dispatch path,
 * compared byte for byte with OpenSSL's EVP_PBE_scrypt; the target aborts
 * on any difference, on a failure of either, and when the working buffer
 * is not all zeros after a call.
 *
 * Built with clang -fsanitize=fuzzer by `make fuzz-scrypt`, and with gcc
 * plus tests/fuzz/replay.c by `make unit`, which replays the committed
 * inputs of tests/fuzz/corpus_scrypt/ (tests/fuzz/replay_scrypt.sh).
 *
 * Input framing:
 *
 *	byte 0	bits 0-3  log2(N) - 1 modulo 8: N from 2 to 256
 *		bits 4-5  scrypt_idle() before the call (3), or not
 *		bits 6-7  unused
 *	byte 1	r: 1 + (byte % 8)
 *	byte 2	p: 1 + (byte % 5)
 *	byte 3	the path: byte % SCRYPT_PATH_COUNT (one this CPU does not
 *		run is AUTO)
 *	byte 4	output length: 1 + byte
 *	byte 5	password length: byte, at most what follows
 *	then the password, then the salt (the rest).
 *
 * Missing header bytes are 0.  N < 2^(16 r) always holds, as OpenSSL
 * wants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../lib/scrypt.c"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set by replay -v: print each input's parameters on stderr. */
int	 fuzz_verbose;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		 h[6] = { 0 }, ours[256], theirs[256];
	const uint8_t	*pw, *salt;
	size_t		 i, pwlen, saltlen, outlen, blk, used;
	uint64_t	 N;
	uint32_t	 r, p;
	int		 path, k;

	memcpy(h, data, size < sizeof(h) ? size : sizeof(h));
	data += size < sizeof(h) ? size : sizeof(h);
	size -= size < sizeof(h) ? size : sizeof(h);
	N = (uint64_t)1 << (1 + (h[0] & 0x0f) % 8);
	r = 1 + h[1] % 8;
	p = 1 + h[2] % 5;
	path = h[3] % SCRYPT_PATH_COUNT;
	if (!scrypt_path_supported((enum scrypt_path)path))
		path = SCRYPT_PATH_AUTO;
	outlen = 1 + (size_t)h[4];
	pwlen = h[5] < size ? h[5] : size;
	pw = data;
	salt = data + pwlen;
	saltlen = size - pwlen;
	if (fuzz_verbose)
		fprintf(stderr, "N=%llu r=%u p=%u path=%s outlen=%zu pwlen=%zu "
		    "saltlen=%zu idle=%d\n", (unsigned long long)N, r, p,
		    scrypt_path_name((enum scrypt_path)path), outlen, pwlen,
		    saltlen, (h[0] >> 4 & 3) == 3);

	if ((h[0] >> 4 & 3) == 3)
		scrypt_idle();
	if (scrypt_path_set((enum scrypt_path)path) != 0)
		abort();
	if (scrypt_kdf(pwlen > 0 ? pw : NULL, pwlen, saltlen > 0 ? salt : NULL,
	    saltlen, N, r, p, ours, outlen) != 0)
		abort();
	/* Every byte the call used is wiped (the rest was never touched). */
	if (scrypt_sizes(pwlen, saltlen, N, r, p, outlen,
	    scrypt_impls[scrypt_path_used(p)].lanes, &blk, &k, &used) != 0 ||
	    used > scrypt_len)
		abort();
	for (i = 0; i < used; i++)
		if (scrypt_buf[i] != 0)
			abort();
	if (EVP_PBE_scrypt((const char *)pw, pwlen, salt, saltlen, N, r, p,
	    (uint64_t)1 << 30, theirs, outlen) != 1)
		abort();
	if (memcmp(ours, theirs, outlen) != 0)
		abort();
	return 0;
}
