import { statSync } from 'node:fs';

/** Codings a production build writes beside each script and stylesheet (`client/build.ts`), preferred in this order at equal weight. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** A precompressed copy's name: the file's name and one of the suffixes above. */
const COPY_SUFFIX = /\.(br|gz)$/i;

/** A weight (RFC 9110 §12.4.2: 0 to 1, three decimals at most). */
const QVALUE = /^\s*q\s*=\s*(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)\s*$/i;

/**
 * The weight an `Accept-Encoding` header gives content coding `encoding`
 * (RFC 9110 §12.5.3): its own, else that of `*`, else 0 (not acceptable).
 * `x-gzip` counts as `gzip`; a malformed weight refuses.
 *
 * @example
 * encodingWeight('gzip, br;q=0.5', 'br'); // 0.5
 * encodingWeight('gzip, *;q=0', 'br'); // 0
 */
export function encodingWeight(header: string | null, encoding: string): number {
  if (!header) return 0;
  let named: number | undefined;
  let star: number | undefined;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    let token = name.trim().toLowerCase();
    if (token === 'x-gzip') token = 'gzip';
    let weight = 1;
    for (const param of params) {
      if (!/^\s*q\s*=/i.test(param)) continue;
      const value = QVALUE.exec(param)?.[1];
      weight = value === undefined ? 0 : Number(value);
    }
    if (token === encoding) named = Math.max(named ?? 0, weight);
    else if (token === '*') star = weight;
  }
  return named ?? star ?? 0;
}

/** What to send for one file of the build. */
export interface EncodedBody {
  /** The file to send: the original, or its compressed copy. */
  path: string;
  /** `Content-Encoding` of `path`, or null for the original. */
  encoding: string | null;
  /** A copy exists, so the answer depends on `Accept-Encoding` (`Vary`). */
  varies: boolean;
}

/**
 * The body to send for build file `file` (which exists): its compressed copy
 * (`main.k2x8d1a9.js.br`, `.gz`) in the coding `acceptEncoding` weighs
 * highest, Brotli first on a tie, else the file itself. A copy older than
 * the file (a new build copied over an old one without its copies) is not
 * used: it may be of other bytes.
 */
export function encodedBody(file: string, acceptEncoding: string | null): EncodedBody {
  const modified = statSync(file).mtimeMs;
  let best: { path: string; encoding: string; weight: number } | null = null;
  let varies = false;
  for (const { encoding, suffix } of PRECOMPRESSED) {
    const copy = statSync(file + suffix, { throwIfNoEntry: false });
    if (!copy?.isFile() || copy.mtimeMs < modified) continue;
    varies = true;
    const weight = encodingWeight(acceptEncoding, encoding);
    if (weight > 0 && (best === null || weight > best.weight)) best = { path: file + suffix, encoding, weight };
  }
  return best === null ? { path: file, encoding: null, varies } : { path: best.path, encoding: best.encoding, varies };
}

/**
 * Whether `file` is a compressed copy of another file of the build: those
 * are sent only in answer to their original's URL, never under their own
 * name (a `.map.gz` would publish what `sourceMaps: false` withholds).
 */
export function isCompressedCopy(file: string): boolean {
  const original = file.replace(COPY_SUFFIX, '');
  return original !== file && statSync(original, { throwIfNoEntry: false })?.isFile() === true;
}
