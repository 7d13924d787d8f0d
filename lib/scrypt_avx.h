/*
 * scrypt_avx.h - the body of scrypt.c's 256-bit paths, included by
 * scrypt.c once per path with AVX_NAME(f) (the path's suffix on every
 * function), AVX_TARGET (the target attribute) and YROT(v, n) (rotate
 * each 32-bit lane of v left by n) defined.  Not a module of its own.
 *
 * Pair m holds chain 2m in the low and chain 2m + 1 in the high 128 bits
 * of each register; every operation of Salsa20/8, the lane rotations of
 * the row round included (_mm256_shuffle_epi32 works within each half),
 * treats the halves apart, so a register pair is two chains of the SSE2
 * path at the cost of one.  Up to AVX_PAIRS pairs step together.  A pair
 * whose second chain is missing gets its first chain in both halves, on
 * the same memory: both halves compute and store the same bytes.
 */
#define YSTEP(t, u, w, n) do {						\
	for (c = 0; c < m; c++)						\
		t[c] = _mm256_xor_si256(t[c],				\
		    YROT(_mm256_add_epi32(u[c], w[c]), n));		\
} while (0)
#define YSHUF(v, s) do {						\
	for (c = 0; c < m; c++)						\
		v[c] = _mm256_shuffle_epi32(v[c], s);			\
} while (0)

/* s[c][0..3] become s + Salsa20/8 rounds(s), for pairs c < m. */
__attribute__((target(AVX_TARGET))) static ALWAYS void
AVX_NAME(salsa)(__m256i (*s)[4], int m)
{
	__m256i	 a[AVX_PAIRS], b[AVX_PAIRS], cc[AVX_PAIRS], d[AVX_PAIRS];
	int	 c, i;

	for (c = 0; c < m; c++) {
		a[c] = s[c][0];
		b[c] = s[c][1];
		cc[c] = s[c][2];
		d[c] = s[c][3];
	}
	for (i = 0; i < 8; i += 2) {
		YSTEP(b, a, d, 7);
		YSTEP(cc, b, a, 9);
		YSTEP(d, cc, b, 13);
		YSTEP(a, d, cc, 18);
		YSHUF(b, 0x93);
		YSHUF(cc, 0x4e);
		YSHUF(d, 0x39);
		YSTEP(d, a, b, 7);
		YSTEP(cc, d, a, 9);
		YSTEP(b, cc, d, 13);
		YSTEP(a, b, cc, 18);
		YSHUF(b, 0x39);
		YSHUF(cc, 0x4e);
		YSHUF(d, 0x93);
	}
	for (c = 0; c < m; c++) {
		s[c][0] = _mm256_add_epi32(s[c][0], a[c]);
		s[c][1] = _mm256_add_epi32(s[c][1], b[c]);
		s[c][2] = _mm256_add_epi32(s[c][2], cc[c]);
		s[c][3] = _mm256_add_epi32(s[c][3], d[c]);
	}
}

/* 16 bytes at lo and 16 at hi as one register. */
__attribute__((target(AVX_TARGET))) static ALWAYS __m256i
AVX_NAME(load2)(const uint32_t *lo, const uint32_t *hi)
{

	return _mm256_inserti128_si256(_mm256_castsi128_si256(
	    _mm_load_si128((const __m128i *)lo)),
	    _mm_load_si128((const __m128i *)hi), 1);
}

/*
 * As blockmix_scalar_1, for m pairs of chains: in, vj and out have 2m
 * entries (chain 2c in the low half of pair c, 2c + 1 in the high).
 */
__attribute__((target(AVX_TARGET))) static ALWAYS void
AVX_NAME(blockmix_m)(uint32_t *const *in, uint32_t *const *vj,
    uint32_t *const *out, uint32_t r, int m)
{
	__m256i		 X[AVX_PAIRS][4];
	size_t		 i, off, last = (2 * (size_t)r - 1) * 16;
	int		 c, w;

	for (c = 0; c < m; c++) {
		for (w = 0; w < 4; w++)
			X[c][w] = AVX_NAME(load2)(in[2 * c] + last + 4 * w,
			    in[2 * c + 1] + last + 4 * w);
		if (vj != NULL)
			for (w = 0; w < 4; w++)
				X[c][w] = _mm256_xor_si256(X[c][w],
				    AVX_NAME(load2)(vj[2 * c] + last + 4 * w,
				    vj[2 * c + 1] + last + 4 * w));
	}
	for (i = 0; i < 2 * (size_t)r; i++) {
		for (c = 0; c < m; c++) {
			for (w = 0; w < 4; w++)
				X[c][w] = _mm256_xor_si256(X[c][w],
				    AVX_NAME(load2)(in[2 * c] + i * 16 + 4 * w,
				    in[2 * c + 1] + i * 16 + 4 * w));
			if (vj != NULL)
				for (w = 0; w < 4; w++)
					X[c][w] = _mm256_xor_si256(X[c][w],
					    AVX_NAME(load2)(vj[2 * c] + i * 16 +
					    4 * w, vj[2 * c + 1] + i * 16 +
					    4 * w));
		}
		AVX_NAME(salsa)(X, m);
		off = ((i >> 1) + (i & 1) * r) * 16;
		for (c = 0; c < m; c++)
			for (w = 0; w < 4; w++) {
				_mm_store_si128((__m128i *)(out[2 * c] + off +
				    4 * w), _mm256_castsi256_si128(X[c][w]));
				_mm_store_si128((__m128i *)(out[2 * c + 1] +
				    off + 4 * w),
				    _mm256_extracti128_si256(X[c][w], 1));
			}
	}
}

/* blockmix_fn of the path: k chains as (k + 1) / 2 pairs. */
__attribute__((target(AVX_TARGET))) static void
AVX_NAME(blockmix)(uint32_t *const *in, uint32_t *const *vj,
    uint32_t *const *out, uint32_t r, int k)
{
	uint32_t	*i2[2 * AVX_PAIRS], *v2[2 * AVX_PAIRS];
	uint32_t	*o2[2 * AVX_PAIRS];
	int		 c;

	if (k > 2 * AVX_PAIRS)
		k = 2 * AVX_PAIRS;
	for (c = 0; c < 2 * AVX_PAIRS; c++) {
		i2[c] = in[c < k ? c : k - 1];
		o2[c] = out[c < k ? c : k - 1];
		v2[c] = vj != NULL ? vj[c < k ? c : k - 1] : NULL;
	}
	if (vj == NULL) {
		if (k > 2)
			AVX_NAME(blockmix_m)(i2, NULL, o2, r, 2);
		else
			AVX_NAME(blockmix_m)(i2, NULL, o2, r, 1);
	} else {
		if (k > 2)
			AVX_NAME(blockmix_m)(i2, v2, o2, r, 2);
		else
			AVX_NAME(blockmix_m)(i2, v2, o2, r, 1);
	}
}

#undef YSTEP
#undef YSHUF
