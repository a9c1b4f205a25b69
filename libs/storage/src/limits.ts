/**
 * C's integer limits, as Redis's argument checks and replies use them (int, unsigned int and
 * long long). The 64-bit ones are bigints: they have no exact JS number.
 */
export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;
export const UINT_MAX = 2 ** 32 - 1;
export const LLONG_MIN = -(2n ** 63n);
export const LLONG_MAX = 2n ** 63n - 1n;
