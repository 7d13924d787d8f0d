/*
 * scrypt.c - scrypt (RFC 7914) over one long-lived working buffer
 * (scrypt.h).  The only module that includes OpenSSL's headers.
 *
 * RFC 7914 section 6: B = PBKDF2-HMAC-SHA256(P, S, 1, p * 128 * r); each
 * of the p blocks of B goes through ROMix (section 5), independently of
 * the others; then DK = PBKDF2-HMAC-SHA256(P, B, 1, dkLen).  ROMix fills
 * V with N successive BlockMix (section 4) outputs, then makes N
 * BlockMix steps on X xor V[Integerify(X) mod N].  BlockMix runs
 * Salsa20/8 (section 3) over the 2r 64-byte sub-blocks of a block.
 *
 * Internal layout.  Inside ROMix every 64-byte sub-block is held as 16
 * 32-bit words in host order, permuted so that position k holds word
 * 5k mod 16 of the RFC's little-endian block:
 *
 *	a = x0  x5  x10 x15	(the diagonal)
 *	b = x4  x9  x14 x3
 *	c = x8  x13 x2  x7
 *	d = x12 x1  x6  x11
 *
 * With that order the four quarter-rounds of Salsa20's column round are
 * the four lanes of  b ^= R(a+d, 7); c ^= R(b+a, 9); d ^= R(c+b, 13);
 * a ^= R(d+c, 18), and those of the row round the same four steps after
 * rotating the lanes of b, c and d by 3, 2 and 1 places.  The vector paths
 * hold a, b, c and d in four registers; the scalar path loads the words
 * into their natural names.  Every operation of scrypt outside Salsa20
 * (xor, copy, Integerify's word x0, which stays at position 0) is blind
 * to the order, so V, X and Y keep it throughout and only the imports and
 * exports of B convert.
 *
 * Interleaving.  The p chains of ROMix share no data, so a path runs k of
 * them at once (k up to its lanes), stepping all k through every
 * Salsa20/8 step together: their instructions interleave and their random
 * reads of V overlap, where one chain alone waits on each.  The SSE2
 * path interleaves up to 3 chains; the AVX2 and AVX-512 paths hold two
 * chains in the two 128-bit halves of each register and interleave two
 * such pairs; a pair with one chain left over runs that chain in both
 * halves, on the same memory (the two halves compute and store the same
 * bytes).  The scalar path runs one chain at a time: its 16 state words
 * fill the registers already.  Chains whose V would pass
 * SCRYPT_INTERLEAVE_MAX together run fewer at a time.
 *
 * The working buffer: [B: 128 r p][V: k * 128 r N][X: k * 128 r][Y: k *
 * 128 r] bytes, one anonymous mapping aligned to 2 MiB (transparent huge
 * pages where the kernel allows madvise(MADV_HUGEPAGE)) and marked
 * MADV_DONTDUMP.  It is kept between calls, so after the first check the
 * next ones fault in no page; it grows (unmap, map larger) when a call
 * needs more, and scrypt_idle() drops its pages.  Every byte a call used
 * is wiped with explicit_bzero before the call returns: V would let a
 * reader of the process test password guesses at the cost of one BlockMix
 * each.
 */
#include <sys/mman.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define SCRYPT_X86	1
#include <immintrin.h>
#endif

#include "scrypt.h"

#define ALWAYS		inline __attribute__((always_inline))
#define LANES_MAX	4		/* the most chains any path runs at once */
#define HUGE_PAGE	((size_t)2 << 20)

/*
 * BlockMix of k chains: out[c] = BlockMix(in[c] xor vj[c]) for c < k (vj
 * NULL: no xor), blocks in the internal layout.
 */
typedef void	 blockmix_fn(uint32_t *const *in, uint32_t *const *vj,
		    uint32_t *const *out, uint32_t r, int k);

/* One path: its name, how many chains it runs at once, whether this CPU
 * can run it, and its BlockMix of k <= lanes chains. */
struct scrypt_impl {
	const char	*name;
	int		 lanes;
	int		(*supported)(void);
	blockmix_fn	*blockmix;
};

/* The working buffer: lives as long as the process (scrypt_free ends
 * it).  resident: pages may be held since the last scrypt_idle(). */
static uint8_t		*scrypt_buf;
static size_t		 scrypt_len;
static int		 scrypt_resident;
/* The path setting (enum scrypt_path, AUTO included); -1 until the first
 * use reads AUTENTICACAO_SCRYPT_PATH. */
static int		 scrypt_cur = -1;

/*
 * Salsa20/8 rotations and the le32 codec.
 */
#define ROTL(v, n)	(((v) << (n)) | ((v) >> (32 - (n))))

static ALWAYS uint32_t
le32dec(const uint8_t *p)
{

	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static ALWAYS void
le32enc(uint8_t *p, uint32_t v)
{

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The 128 r bytes of an RFC block at b into the internal layout at x. */
static void
scrypt_import(const uint8_t *b, uint32_t *x, uint32_t r)
{
	size_t	 s, k;

	for (s = 0; s < 2 * (size_t)r; s++)
		for (k = 0; k < 16; k++)
			x[s * 16 + k] = le32dec(b + s * 64 + 4 * ((5 * k) & 15));
}

/* The reverse of scrypt_import. */
static void
scrypt_export(const uint32_t *x, uint8_t *b, uint32_t r)
{
	size_t	 s, k;

	for (s = 0; s < 2 * (size_t)r; s++)
		for (k = 0; k < 16; k++)
			le32enc(b + s * 64 + 4 * ((5 * k) & 15), x[s * 16 + k]);
}

/*
 * ROMix (RFC 7914 section 5) of k chains, on blocks in the internal
 * layout: X[c] in and out, Y[c] scratch, V[c] room for N blocks, for
 * c < k.  bm is the path's BlockMix of k chains, out[c] = BlockMix(in[c]
 * xor vj[c]) (vj NULL: no xor).  N is even, so after the N steps of the
 * second loop the result is back in X.
 */
static void
romix(blockmix_fn *bm, uint32_t *const *X, uint32_t *const *Y,
    uint32_t *const *V, uint32_t r, uint64_t N, int k)
{
	uint32_t	*a[LANES_MAX], *b[LANES_MAX], *v[LANES_MAX], *t;
	size_t		 bw = 32 * (size_t)r;	/* words per block */
	uint64_t	 i;
	int		 c;

	for (c = 0; c < k; c++)
		memcpy(V[c], X[c], bw * 4);
	for (i = 0; i + 1 < N; i++) {
		for (c = 0; c < k; c++) {
			a[c] = V[c] + i * bw;
			b[c] = a[c] + bw;
		}
		bm(a, NULL, b, r, k);
	}
	for (c = 0; c < k; c++)
		a[c] = V[c] + (N - 1) * bw;
	bm(a, NULL, X, r, k);
	for (c = 0; c < k; c++) {
		a[c] = X[c];
		b[c] = Y[c];
	}
	for (i = 0; i < N; i++) {
		/* Integerify: word x0 of the last sub-block, at position 0. */
		for (c = 0; c < k; c++)
			v[c] = V[c] + (a[c][bw - 16] & (N - 1)) * bw;
		bm(a, v, b, r, k);
		for (c = 0; c < k; c++) {
			t = a[c];
			a[c] = b[c];
			b[c] = t;
		}
	}
}

/*
 * The scalar path, one chain at a time: with 16 state words per chain
 * the registers are full, and interleaved chains only spilled.  s (16
 * words, internal layout) becomes s + Salsa20/8 rounds(s) (RFC 7914
 * section 3), with the words under their natural names.
 */
#define SSTEP(t, a, b, n)	x[t] ^= ROTL(x[a] + x[b], n)

static ALWAYS void
salsa_scalar(uint32_t s[16])
{
	uint32_t	 x[16];
	int		 i, w;

	for (w = 0; w < 16; w++)
		x[(5 * w) & 15] = s[w];
	for (i = 0; i < 8; i += 2) {
		/* Columns. */
		SSTEP(4, 0, 12, 7);	SSTEP(9, 5, 1, 7);
		SSTEP(14, 10, 6, 7);	SSTEP(3, 15, 11, 7);
		SSTEP(8, 4, 0, 9);	SSTEP(13, 9, 5, 9);
		SSTEP(2, 14, 10, 9);	SSTEP(7, 3, 15, 9);
		SSTEP(12, 8, 4, 13);	SSTEP(1, 13, 9, 13);
		SSTEP(6, 2, 14, 13);	SSTEP(11, 7, 3, 13);
		SSTEP(0, 12, 8, 18);	SSTEP(5, 1, 13, 18);
		SSTEP(10, 6, 2, 18);	SSTEP(15, 11, 7, 18);
		/* Rows. */
		SSTEP(1, 0, 3, 7);	SSTEP(6, 5, 4, 7);
		SSTEP(11, 10, 9, 7);	SSTEP(12, 15, 14, 7);
		SSTEP(2, 1, 0, 9);	SSTEP(7, 6, 5, 9);
		SSTEP(8, 11, 10, 9);	SSTEP(13, 12, 15, 9);
		SSTEP(3, 2, 1, 13);	SSTEP(4, 7, 6, 13);
		SSTEP(9, 8, 11, 13);	SSTEP(14, 13, 12, 13);
		SSTEP(0, 3, 2, 18);	SSTEP(5, 4, 7, 18);
		SSTEP(10, 9, 8, 18);	SSTEP(15, 14, 13, 18);
	}
	for (w = 0; w < 16; w++)
		s[w] += x[(5 * w) & 15];
}

/*
 * BlockMix (RFC 7914 section 4) of one chain: out = BlockMix(in xor vj).
 * Y_i goes to sub-block i/2 (even i) or r + i/2 (odd i) of out, which is
 * the RFC's B' = (Y0, Y2, ..., Y1, Y3, ...).
 */
static ALWAYS void
blockmix_scalar_1(const uint32_t *in, const uint32_t *vj, uint32_t *out,
    uint32_t r)
{
	uint32_t	 X[16];
	size_t		 i, last = (2 * (size_t)r - 1) * 16;
	int		 w;

	for (w = 0; w < 16; w++)
		X[w] = in[last + w] ^ (vj != NULL ? vj[last + w] : 0);
	for (i = 0; i < 2 * (size_t)r; i++) {
		for (w = 0; w < 16; w++)
			X[w] ^= in[i * 16 + w] ^ (vj != NULL ? vj[i * 16 + w] : 0);
		salsa_scalar(X);
		memcpy(out + ((i >> 1) + (i & 1) * r) * 16, X, 64);
	}
}

static void
blockmix_scalar(uint32_t *const *in, uint32_t *const *vj,
    uint32_t *const *out, uint32_t r, int k)
{

	(void)k;	/* 1: the path's lanes */
	if (vj == NULL)
		blockmix_scalar_1(in[0], NULL, out[0], r);
	else
		blockmix_scalar_1(in[0], vj[0], out[0], r);
}

static int
supported_always(void)
{

	return 1;
}

#ifdef SCRYPT_X86
/*
 * The SSE2 path: a chain's state is four registers a, b, c, d (the rows
 * of the internal layout above); up to 3 chains step together.
 */
#define SSE_LANES	3
#define XROT(v, n)	_mm_or_si128(_mm_slli_epi32((v), (n)),		\
			    _mm_srli_epi32((v), 32 - (n)))
#define XSTEP(t, u, w, n) do {						\
	for (c = 0; c < k; c++)						\
		t[c] = _mm_xor_si128(t[c], XROT(_mm_add_epi32(u[c], w[c]), n)); \
} while (0)
#define XSHUF(v, m) do {						\
	for (c = 0; c < k; c++)						\
		v[c] = _mm_shuffle_epi32(v[c], m);			\
} while (0)

/* s[c][0..3] become s + Salsa20/8 rounds(s), for c < k. */
static ALWAYS void
salsa_sse2(__m128i (*s)[4], int k)
{
	__m128i	 a[SSE_LANES], b[SSE_LANES], cc[SSE_LANES], d[SSE_LANES];
	int	 c, i;

	for (c = 0; c < k; c++) {
		a[c] = s[c][0];
		b[c] = s[c][1];
		cc[c] = s[c][2];
		d[c] = s[c][3];
	}
	for (i = 0; i < 8; i += 2) {
		/* Columns: the four quarter-rounds are the four lanes. */
		XSTEP(b, a, d, 7);
		XSTEP(cc, b, a, 9);
		XSTEP(d, cc, b, 13);
		XSTEP(a, d, cc, 18);
		/* Rows: b, c, d rotated by 3, 2, 1 lanes, then back. */
		XSHUF(b, 0x93);
		XSHUF(cc, 0x4e);
		XSHUF(d, 0x39);
		XSTEP(d, a, b, 7);
		XSTEP(cc, d, a, 9);
		XSTEP(b, cc, d, 13);
		XSTEP(a, b, cc, 18);
		XSHUF(b, 0x39);
		XSHUF(cc, 0x4e);
		XSHUF(d, 0x93);
	}
	for (c = 0; c < k; c++) {
		s[c][0] = _mm_add_epi32(s[c][0], a[c]);
		s[c][1] = _mm_add_epi32(s[c][1], b[c]);
		s[c][2] = _mm_add_epi32(s[c][2], cc[c]);
		s[c][3] = _mm_add_epi32(s[c][3], d[c]);
	}
}

/* As blockmix_scalar_1, for k chains. */
static ALWAYS void
blockmix_sse2_k(uint32_t *const *in, uint32_t *const *vj,
    uint32_t *const *out, uint32_t r, int k)
{
	__m128i		 X[SSE_LANES][4];
	const __m128i	*p, *q;
	__m128i		*o;
	size_t		 i, last = 2 * (size_t)r - 1;
	int		 c, w;

	for (c = 0; c < k; c++) {
		p = (const __m128i *)in[c] + last * 4;
		for (w = 0; w < 4; w++)
			X[c][w] = _mm_load_si128(p + w);
		if (vj != NULL) {
			q = (const __m128i *)vj[c] + last * 4;
			for (w = 0; w < 4; w++)
				X[c][w] = _mm_xor_si128(X[c][w],
				    _mm_load_si128(q + w));
		}
	}
	for (i = 0; i < 2 * (size_t)r; i++) {
		for (c = 0; c < k; c++) {
			p = (const __m128i *)in[c] + i * 4;
			for (w = 0; w < 4; w++)
				X[c][w] = _mm_xor_si128(X[c][w],
				    _mm_load_si128(p + w));
			if (vj != NULL) {
				q = (const __m128i *)vj[c] + i * 4;
				for (w = 0; w < 4; w++)
					X[c][w] = _mm_xor_si128(X[c][w],
					    _mm_load_si128(q + w));
			}
		}
		salsa_sse2(X, k);
		for (c = 0; c < k; c++) {
			o = (__m128i *)out[c] + ((i >> 1) + (i & 1) * r) * 4;
			for (w = 0; w < 4; w++)
				_mm_store_si128(o + w, X[c][w]);
		}
	}
}

static void
blockmix_sse2(uint32_t *const *in, uint32_t *const *vj,
    uint32_t *const *out, uint32_t r, int k)
{

	if (vj == NULL) {
		if (k >= 3)
			blockmix_sse2_k(in, NULL, out, r, 3);
		else if (k == 2)
			blockmix_sse2_k(in, NULL, out, r, 2);
		else
			blockmix_sse2_k(in, NULL, out, r, 1);
	} else {
		if (k >= 3)
			blockmix_sse2_k(in, vj, out, r, 3);
		else if (k == 2)
			blockmix_sse2_k(in, vj, out, r, 2);
		else
			blockmix_sse2_k(in, vj, out, r, 1);
	}
}

/*
 * The AVX2 and AVX-512 paths: two chains per 256-bit register, the
 * second with AVX-512VL's rotate instruction (scrypt_avx.h, included once
 * for each).
 */
#define AVX_PAIRS	2
#define AVX_NAME(f)	f##_avx2
#define AVX_TARGET	"avx2"
#define YROT(v, n)	_mm256_or_si256(_mm256_slli_epi32((v), (n)),	\
			    _mm256_srli_epi32((v), 32 - (n)))
#include "scrypt_avx.h"
#undef AVX_NAME
#undef AVX_TARGET
#undef YROT

#define AVX_NAME(f)	f##_avx512
#define AVX_TARGET	"avx2,avx512f,avx512vl"
#define YROT(v, n)	_mm256_rol_epi32((v), (n))
#include "scrypt_avx.h"
#undef AVX_NAME
#undef AVX_TARGET
#undef YROT

static int
supported_avx2(void)
{

	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") ? 1 : 0;
}

static int
supported_avx512(void)
{

	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512vl") ? 1 : 0;
}
#else /* !SCRYPT_X86 */
static int
supported_never(void)
{

	return 0;
}
#endif

/* Indexed by enum scrypt_path; AUTO's row is a placeholder. */
static const struct scrypt_impl	 scrypt_impls[SCRYPT_PATH_COUNT] = {
	[SCRYPT_PATH_AUTO] =	{ "auto", 0, supported_always, NULL },
	[SCRYPT_PATH_SCALAR] =	{ "scalar", 1, supported_always,
				    blockmix_scalar },
#ifdef SCRYPT_X86
	[SCRYPT_PATH_SSE2] =	{ "sse2", SSE_LANES, supported_always,
				    blockmix_sse2 },
	[SCRYPT_PATH_AVX2] =	{ "avx2", 2 * AVX_PAIRS, supported_avx2,
				    blockmix_avx2 },
	[SCRYPT_PATH_AVX512] =	{ "avx512", 2 * AVX_PAIRS, supported_avx512,
				    blockmix_avx512 },
#else
	[SCRYPT_PATH_SSE2] =	{ "sse2", 0, supported_never, NULL },
	[SCRYPT_PATH_AVX2] =	{ "avx2", 0, supported_never, NULL },
	[SCRYPT_PATH_AVX512] =	{ "avx512", 0, supported_never, NULL },
#endif
};

/*
 * The paths AUTO picks from for p >= 2, fastest first (bench/README.md
 * has the figures).  One chain (p = 1) has nothing to interleave and
 * Salsa20/8's steps depend on each other: the scalar path, which uses
 * the four quarter-rounds' independence with no lane shuffles, is the
 * fastest there.
 */
static const enum scrypt_path	 scrypt_pref[] = {
	SCRYPT_PATH_AVX512, SCRYPT_PATH_AVX2, SCRYPT_PATH_SSE2,
	SCRYPT_PATH_SCALAR
};

int
scrypt_path_supported(enum scrypt_path path)
{

	if ((int)path < 0 || path >= SCRYPT_PATH_COUNT)
		return 0;
	return scrypt_impls[path].supported();
}

const char *
scrypt_path_name(enum scrypt_path path)
{

	if ((int)path < 0 || path >= SCRYPT_PATH_COUNT)
		return NULL;
	return scrypt_impls[path].name;
}

int
scrypt_path_set(enum scrypt_path path)
{

	if (!scrypt_path_supported(path))
		return -1;
	scrypt_cur = (int)path;
	return 0;
}

/*
 * The path setting: on the first use, AUTENTICACAO_SCRYPT_PATH (a path's
 * name) if set and this CPU runs it, else AUTO.
 */
enum scrypt_path
scrypt_path_get(void)
{
	const char	*env;
	int		 i;

	if (scrypt_cur >= 0)
		return (enum scrypt_path)scrypt_cur;
	scrypt_cur = SCRYPT_PATH_AUTO;
	if ((env = getenv("AUTENTICACAO_SCRYPT_PATH")) != NULL)
		for (i = 0; i < SCRYPT_PATH_COUNT; i++)
			if (strcmp(env, scrypt_impls[i].name) == 0 &&
			    scrypt_impls[i].supported())
				scrypt_cur = i;
	return (enum scrypt_path)scrypt_cur;
}

/* AUTO's path for p >= 2: the first of scrypt_pref this CPU runs. */
static enum scrypt_path
scrypt_auto_vector(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(scrypt_pref) / sizeof(scrypt_pref[0]); i++)
		if (scrypt_impls[scrypt_pref[i]].supported())
			return scrypt_pref[i];
	return SCRYPT_PATH_SCALAR;
}

enum scrypt_path
scrypt_path_used(uint32_t p)
{
	enum scrypt_path	 path;

	if ((path = scrypt_path_get()) != SCRYPT_PATH_AUTO)
		return path;
	return p < 2 ? SCRYPT_PATH_SCALAR : scrypt_auto_vector();
}

size_t
scrypt_mapped(void)
{

	return scrypt_len;
}

void
scrypt_free(void)
{

	if (scrypt_buf != NULL)
		(void)munmap(scrypt_buf, scrypt_len);
	scrypt_buf = NULL;
	scrypt_len = 0;
	scrypt_resident = 0;
}

void
scrypt_idle(void)
{

	if (scrypt_buf == NULL || !scrypt_resident)
		return;
	(void)madvise(scrypt_buf, scrypt_len, MADV_DONTNEED);
	scrypt_resident = 0;
}

/*
 * Make the working buffer at least need bytes: kept if it is, else
 * unmapped (it holds only zeros between calls) and mapped again, rounded
 * up to 2 MiB and aligned to 2 MiB.  Returns 0, or -1 (no buffer held)
 * when mmap fails.
 */
static int
scrypt_reserve(size_t need)
{
	uint8_t	*p, *al;
	size_t	 len, head;

	if (scrypt_buf != NULL && scrypt_len >= need)
		return 0;
	scrypt_free();
	len = (need + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	al = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	head = (size_t)(al - p);
	if (head > 0)
		(void)munmap(p, head);
	if (HUGE_PAGE - head > 0)
		(void)munmap(al + len, HUGE_PAGE - head);
	/* Both advisory: a kernel without them still computes right. */
	(void)madvise(al, len, MADV_HUGEPAGE);
	(void)madvise(al, len, MADV_DONTDUMP);
	scrypt_buf = al;
	scrypt_len = len;
	return 0;
}

/*
 * The sizes of a call: blk bytes per block, how many chains k run at
 * once (the path's lanes, fewer if their V would pass
 * SCRYPT_INTERLEAVE_MAX) and the bytes of the working buffer.  Returns
 * 0, or -1 when the arguments are out of scrypt_kdf's range.  Allocates
 * nothing.
 */
static int
scrypt_sizes(size_t pwlen, size_t saltlen, uint64_t N, uint32_t r,
    uint32_t p, size_t outlen, int lanes, size_t *blk, int *k,
    size_t *total)
{
	uint64_t	 b, v, all;
	int		 g;

	if (N < 2 || (N & (N - 1)) != 0 || N > SCRYPT_N_MAX)
		return -1;
	if (r == 0 || p == 0 || (uint64_t)r * p > SCRYPT_RP_MAX)
		return -1;
	if (pwlen > SCRYPT_LEN_MAX || saltlen > SCRYPT_LEN_MAX ||
	    outlen == 0 || outlen > SCRYPT_LEN_MAX)
		return -1;
	b = 128 * (uint64_t)r;		/* < 2^31: r < 2^24 */
	v = b * N;			/* < 2^63: N <= 2^32 */
	/* The memory of all p chains at once must at least be a number
	 * (it always is under the caps above: r * p < 2^24). */
	if (__builtin_mul_overflow(v, (uint64_t)p, &all))
		return -1;
	/* The total of one chain fits: b * p < 2^31, v <= 2^30. */
	if (v > SCRYPT_MEM_MAX)
		return -1;
	g = lanes < (int)p ? lanes : (int)p;
	while (g > 1 && (uint64_t)g * v > SCRYPT_INTERLEAVE_MAX)
		g--;
	*blk = (size_t)b;
	*k = g;
	*total = (size_t)(b * p + (uint64_t)g * (v + 2 * b));
	return 0;
}

int
scrypt_kdf(const uint8_t *pw, size_t pwlen, const uint8_t *salt,
    size_t saltlen, uint64_t N, uint32_t r, uint32_t p, uint8_t *out,
    size_t outlen)
{
	static const uint8_t	 empty[1];
	const struct scrypt_impl *im;
	uint32_t		*X[LANES_MAX], *Y[LANES_MAX], *V[LANES_MAX];
	uint8_t			*B;
	size_t			 blk, total = 0;
	uint32_t		 i0;
	int			 k, c, n, rc = -1;

	im = &scrypt_impls[scrypt_path_used(p)];
	if (out == NULL || (pw == NULL && pwlen > 0) ||
	    (salt == NULL && saltlen > 0) ||
	    scrypt_sizes(pwlen, saltlen, N, r, p, outlen, im->lanes, &blk, &k,
	    &total) == -1) {
		errno = EINVAL;
		goto out;
	}
	if (scrypt_reserve(total) == -1) {
		errno = ENOMEM;
		goto out;
	}
	scrypt_resident = 1;
	if (pw == NULL)
		pw = empty;
	if (salt == NULL)
		salt = empty;
	B = scrypt_buf;
	for (c = 0; c < k; c++) {
		V[c] = (uint32_t *)(B + blk * p + (size_t)c * blk * N);
		X[c] = (uint32_t *)(B + blk * p + (size_t)k * blk * N +
		    (size_t)c * 2 * blk);
		Y[c] = X[c] + blk / 4;
	}
	/* Lengths fit an int: SCRYPT_LEN_MAX, and blk * p < 2^31. */
	if (PKCS5_PBKDF2_HMAC((const char *)pw, (int)pwlen, salt,
	    (int)saltlen, 1, EVP_sha256(), (int)(blk * p), B) != 1)
		goto out;
	for (i0 = 0; i0 < p; i0 += (uint32_t)n) {
		n = p - i0 < (uint32_t)k ? (int)(p - i0) : k;
		for (c = 0; c < n; c++)
			scrypt_import(B + (i0 + c) * blk, X[c], r);
		romix(im->blockmix, X, Y, V, r, N, n);
		for (c = 0; c < n; c++)
			scrypt_export(X[c], B + (i0 + c) * blk, r);
	}
	if (PKCS5_PBKDF2_HMAC((const char *)pw, (int)pwlen, B,
	    (int)(blk * p), 1, EVP_sha256(), (int)outlen, out) != 1)
		goto out;
	rc = 0;
out:
	if (total > 0 && scrypt_buf != NULL)
		explicit_bzero(scrypt_buf, total);
	if (rc == -1 && out != NULL && outlen <= SCRYPT_LEN_MAX)
		explicit_bzero(out, outlen);
	return rc;
}
