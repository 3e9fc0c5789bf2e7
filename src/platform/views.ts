/** Byte views for scattered reads and gathered writes (`readv`, `writev`). */

/**
 * What is left of `views` once the first `n` of their bytes were read or written (a short
 * `readv` or `writev` goes on from there).
 */
export function afterBytes(views: readonly Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < views.length && n >= (views[i] as Uint8Array).length) n -= (views[i++] as Uint8Array).length;
  const left = views.slice(i);
  if (n > 0) left[0] = (left[0] as Uint8Array).subarray(n);
  return left;
}
