/**
 * Seeded fuzzing: the same seed gives the same cases, so a failure found once is found again.
 * The suites assert that no request answers 500: bad input is refused with a 4xx.
 */

/** mulberry32: a small deterministic generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Rng {
  next(): number
  int(max: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
}

export function rng(seed: number): Rng {
  const next = seeded(seed)
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)]
      if (item === undefined) throw new Error('pick from an empty list')
      return item
    },
    chance: (p) => next() < p,
  }
}

/** Text that has broken systems before: controls, bidi, surrogates, huge, injections, formats. */
export const nastyStrings: readonly string[] = [
  '',
  ' ',
  '\t\r\n',
  '\u0000',
  'Acme\u0000SA',
  '\u202Egnp.exe',
  'X3\u2066y',
  '\u200F\u200E',
  '\uD800',
  'a\uDFFFb',
  '\uFFFE\uFFFF',
  '\uFEFFbom',
  '\u0085\u2028\u2029',
  '\u001B[31mred',
  'é'.repeat(5000),
  'x'.repeat(201),
  'y'.repeat(70_000),
  '🧾'.repeat(300),
  "'; drop table customers; --",
  '" or 1=1 --',
  '%00',
  '%',
  '\\',
  '"',
  '{{contact.firstName}}',
  '{{',
  '}}}',
  '{{ nope }}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'null',
  'true',
  '0',
  '-1',
  '1e309',
  'NaN',
  '2024-02-30',
  '9999-99-99T99:99:99Z',
  'ａｃｍｅ',
  'Z\u0351\u0352\u0353\u0354',
  'شركة',
  'a@b.c',
  'x@y',
  '@',
  'a'.repeat(250) + '@example.com',
  'FR',
  'fra',
  'Atlantis',
  'EUR',
  'eur',
  'XXX',
  '+33 1 23 45 67 89',
  '+999999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'not-a-uuid',
  'admin',
  'owner',
  'main',
  'ACCOUNTING',
  'stripe',
]

const nastyNumbers: readonly number[] = [
  0,
  -1,
  1,
  1.5,
  -0.5,
  3650,
  3651,
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 63),
  1e308,
  -1e308,
  Number.MIN_VALUE,
]

const nastyKeys: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  'a\u0000',
  '\u202Ekey',
  'id',
  'createdAt',
  'organizationId',
  'x'.repeat(300),
]

/** Sets an own key, `__proto__` included (assignment would change the prototype instead). */
function put(target: Record<string, unknown>, key: string, item: unknown): void {
  Object.defineProperty(target, key, {
    value: item,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

/** A value of any JSON type, nasty ones often, nested a little. */
export function value(r: Rng, depth = 0): unknown {
  const roll = r.int(10)
  if (roll < 5) return r.pick(nastyStrings)
  if (roll === 5) return r.pick(nastyNumbers)
  if (roll === 6) return r.pick([true, false, null])
  if (depth > 2) return r.pick(nastyStrings)
  if (roll === 7) return Array.from({ length: r.int(4) }, () => value(r, depth + 1))
  if (roll === 8) {
    const object: Record<string, unknown> = {}
    for (let i = r.int(4); i > 0; i--) put(object, r.pick(nastyKeys), value(r, depth + 1))
    return object
  }
  return r.pick([[], {}, [null], { '': '' }])
}

/** Deeply nested arrays, for parsers and validators that recurse. */
export const deep = (levels: number): unknown => {
  let nested: unknown = 'bottom'
  for (let i = 0; i < levels; i++) nested = [nested]
  return nested
}

/**
 * A valid body mutated: fields set to nasty values, unknown or nasty keys added, fields dropped,
 * or the whole body replaced by another type.
 */
export function mutate(r: Rng, base: Record<string, unknown>, keys: readonly string[]): unknown {
  if (r.chance(0.08)) return value(r)
  if (r.chance(0.02)) return deep(200)
  const body: Record<string, unknown> = structuredClone(base)
  const changes = 1 + r.int(3)
  for (let i = 0; i < changes; i++) {
    const op = r.int(10)
    if (op < 7) put(body, r.pick(keys), value(r))
    else if (op < 9) put(body, r.chance(0.5) ? r.pick(nastyKeys) : r.pick(keys), value(r))
    else Reflect.deleteProperty(body, r.pick(Object.keys(body).length ? Object.keys(body) : keys))
  }
  return body
}
