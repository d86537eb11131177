/**
 * The default hash of the partition dispatcher: a stable 32-bit hash of a value, so that equal
 * events always land in the same partition, in this process and the next.
 */

/** Returns a non-negative 32-bit hash of `value`; equal values hash alike. */
export function hashValue(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 0xffffffff) {
    return mix(value | 0);
  }
  if (typeof value === 'string') return hashString(value);
  if (typeof value === 'bigint') return hashString(`${value}n`);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return hashString(text ?? String(value));
}

// FNV-1a over UTF-16 code units, then the murmur3 finalizer for spread.
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix(hash);
}

function mix(input: number): number {
  let hash = input;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
