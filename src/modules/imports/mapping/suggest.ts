import { distance } from 'fastest-levenshtein'
import {
  fieldInfo,
  importFields,
  type ColumnMapping,
  type ImportField,
} from '../../../contracts/imports.ts'
import { synonyms } from './synonyms.ts'

/** A header's words: accents stripped, lowercase, split on spaces, punctuation and camelCase. */
function words(text: string): string[] {
  return (
    text
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
      .toLowerCase()
      // º is a letter to Unicode but a numero sign in headers ("Nº client").
      .split(/[^\p{L}\p{N}]+|º/u)
      .filter((word) => word !== '')
  )
}

/**
 * A header reduced to what identifies it: lowercase, without accents, spaces or punctuation, so
 * "Nom du client", "nom_du_client" and "NOM DU CLIENT " are equal.
 */
export const normalizeHeader = (text: string): string => words(text).join('')

// Lower ranks win; within a rank the leftmost column wins.
const LEARNED = 0
const EXACT = 1
const WEAK = 2
const FALLBACK = 3
const FUZZY = 4 // + the edit distance

interface Known {
  field: ImportField
  weak: boolean
}

interface Reading {
  text: string
  words: number
}

const known = new Map<string, Known>()
const fuzzyTargets: (Reading & { field: ImportField })[] = []
for (const field of importFields) {
  const { headers, weak = [] } = synonyms[field]
  const all = [fieldInfo[field].label, ...headers, ...weak]
  all.forEach((header, index) => {
    const split = words(header)
    const text = split.join('')
    known.set(text, { field, weak: index > headers.length })
    if (text.length >= 5) fuzzyTargets.push({ text, words: split.length, field })
  })
}

const bareNames = new Set(['nom', 'name'])

/** The ways a header may be read: "#" as number ("Customer #"), and without a "(note)". */
function readings(header: string): Reading[] {
  const hashed = header.replace(/#/g, ' number ')
  return [hashed, hashed.replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')]
    .map(words)
    .filter((split) => split.length > 0)
    .map((split) => ({ text: split.join(''), words: split.length }))
}

function exactMatch(header: string): Known | undefined {
  for (const { text } of readings(header)) {
    const match = known.get(text)
    if (match) return match
  }
  return undefined
}

// Short words must match exactly: "Pays" is one letter from "Payé", "Nom" from "No".
const maxDistance = (length: number): number => (length >= 8 ? 2 : length >= 5 ? 1 : 0)

/**
 * Fields whose headers are a typo away. The word count must agree: a word more or less is another
 * meaning, not a typo ("Contact" is not "N° contact", "Customer" is not "Customer ID").
 */
function fuzzyMatches(header: string): { field: ImportField; distance: number }[] {
  const best = new Map<ImportField, number>()
  for (const reading of readings(header)) {
    for (const target of fuzzyTargets) {
      const limit = maxDistance(Math.min(reading.text.length, target.text.length))
      if (limit === 0 || reading.words !== target.words) continue
      if (Math.abs(reading.text.length - target.text.length) > limit) continue
      const d = distance(reading.text, target.text)
      if (d <= limit && d < (best.get(target.field) ?? Infinity)) best.set(target.field, d)
    }
  }
  return [...best].map(([field, d]) => ({ field, distance: d }))
}

interface Candidate {
  column: number
  field: ImportField
  rank: number
}

/**
 * The mapping proposed for a file's headers. `learned` (normalised header → field, or null for a
 * column the organisation ignores) comes from earlier imports and wins over synonyms; then exact
 * synonyms, then close spellings. A field goes to one column at most.
 */
export function suggestMapping(
  columns: string[],
  learned: ReadonlyMap<string, ImportField | null> = new Map(),
): ColumnMapping {
  const exact = columns.map(exactMatch)
  // "Prénom" next to "Nom": the pair is a contact's first and family name.
  const hasFirstName = exact.some((match) => match?.field === 'contact.firstName')

  const candidates: Candidate[] = []
  columns.forEach((header, column) => {
    const key = normalizeHeader(header)
    const choice = learned.get(key)
    // The organisation chose to ignore this column before: don't suggest anything for it.
    if (choice === null) return
    if (choice !== undefined) candidates.push({ column, field: choice, rank: LEARNED })
    const match = exact[column]
    if (match && hasFirstName && bareNames.has(key)) {
      candidates.push({ column, field: 'contact.lastName', rank: WEAK })
      candidates.push({ column, field: 'customer.name', rank: FALLBACK })
    } else if (match) {
      candidates.push({ column, field: match.field, rank: match.weak ? WEAK : EXACT })
    } else {
      for (const fuzzy of fuzzyMatches(header)) {
        candidates.push({ column, field: fuzzy.field, rank: FUZZY + fuzzy.distance })
      }
    }
  })
  candidates.sort((a, b) => a.rank - b.rank || a.column - b.column)

  const mapping: ColumnMapping = columns.map(() => null)
  const decided = new Set<number>()
  const taken = new Set<ImportField>()
  for (const { column, field } of candidates) {
    if (decided.has(column) || taken.has(field)) continue
    mapping[column] = field
    decided.add(column)
    taken.add(field)
  }
  return mapping
}

/**
 * What a confirmed mapping teaches for the next imports: each header's field, or null when the
 * column was ignored. A header mapped two ways in the same file teaches nothing.
 */
export function learnFromMapping(
  columns: string[],
  mapping: ColumnMapping,
): Map<string, ImportField | null> {
  const learned = new Map<string, ImportField | null>()
  const ambiguous = new Set<string>()
  columns.forEach((header, column) => {
    const key = normalizeHeader(header)
    const field = mapping[column] ?? null
    if (key === '' || ambiguous.has(key)) return
    if (learned.has(key) && learned.get(key) !== field) {
      learned.delete(key)
      ambiguous.add(key)
      return
    }
    learned.set(key, field)
  })
  return learned
}
