/**
 * A small SuiteQL interpreter for the NetSuite fake (test tooling): SELECT [DISTINCT] columns or
 * TO_CHAR(…) FROM one table, or two joined, WHERE conditions joined by AND (=, >, >=, <, <=, IN,
 * TO_TIMESTAMP values), ORDER BY columns. Enough for what Roster sends; anything else is refused
 * as NetSuite refuses a query it cannot run.
 */

export type Cell = string | number | null
/** A row as the tables hold it: dates in unix seconds, under `alias.column` and `column`. */
export type Row = Record<string, Cell>

export interface Tables {
  /** The rows of a table (or a join of two), keyed by qualified and plain column names. */
  rows(table: string, alias: string, join: Join | null, where: Condition[]): Row[] | null
  /** Columns that hold dates (unix seconds), by plain name. */
  dates: Set<string>
  /** The account's offset from UTC, in seconds (dates are shown and read in its zone). */
  zoneOffset: number
  now: number
}

export interface Join {
  table: string
  alias: string
  on: [string, string]
}

export interface Condition {
  column: string
  op: '=' | '>' | '>=' | '<' | '<=' | 'IN'
  value: Cell | Cell[]
}

export class QueryError extends Error {}

const timestampFormat = 'YYYY-MM-DD HH24:MI:SS'

/** Runs a query: the rows in order, each as SuiteQL answers it (text values, nulls left out). */
export function runQuery(q: string, tables: Tables): Record<string, string>[] {
  const text = q.replace(/\s+/g, ' ').trim()
  const match =
    /^SELECT (DISTINCT )?(.+?) FROM (\w+)(?: (\w+))?(?: JOIN (\w+) (\w+) ON ([\w.]+) = ([\w.]+))?(?: WHERE (.+?))?(?: ORDER BY (.+))?$/i.exec(
      text,
    )
  if (!match) throw new QueryError(`Invalid search query: ${q}`)
  const [, distinct, columns = '', table = '', alias = '', joinTable, joinAlias, left, right] =
    match
  const where = (match[9] ?? '').trim()
  const order = (match[10] ?? '').trim()
  const join: Join | null =
    joinTable && joinAlias && left && right
      ? { table: joinTable.toLowerCase(), alias: joinAlias, on: [left, right] }
      : null
  const conditions = where === '' ? [] : where.split(/ AND /i).map((c) => condition(c, tables))
  const rows = tables.rows(table.toLowerCase(), alias || table.toLowerCase(), join, conditions)
  if (rows === null) throw new QueryError(`Record '${table}' was not found.`)
  const kept = rows.filter((row) => conditions.every((c) => holds(row, c)))
  if (order !== '') {
    const keys = order.split(',').map((k) => k.trim())
    kept.sort((a, b) => {
      for (const key of keys) {
        const diff = compare(cell(a, key), cell(b, key))
        if (diff !== 0) return diff
      }
      return 0
    })
  }
  const select = splitTop(columns).map((expression) => projection(expression, tables))
  const out = kept.map((row) => {
    const item: Record<string, string> = {}
    for (const { name, value } of select) {
      const v = value(row)
      if (v !== null) item[name] = v
    }
    return item
  })
  if (!distinct) return out
  const seen = new Set<string>()
  return out.filter((item) => {
    const key = JSON.stringify(item)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function cell(row: Row, column: string): Cell {
  const key = column.toLowerCase()
  if (key in row) return row[key] ?? null
  throw new QueryError(`Field '${column}' was not found.`)
}

function compare(a: Cell, b: Cell): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  const na = Number(a)
  const nb = Number(b)
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb
  return String(a) < String(b) ? -1 : 1
}

function holds(row: Row, { column, op, value }: Condition): boolean {
  const actual = cell(row, column)
  if (op === 'IN') return Array.isArray(value) && value.some((v) => compare(actual, v) === 0)
  if (actual === null || Array.isArray(value)) return false
  const diff = compare(actual, value)
  switch (op) {
    case '=':
      return diff === 0
    case '>':
      return diff > 0
    case '>=':
      return diff >= 0
    case '<':
      return diff < 0
    case '<=':
      return diff <= 0
  }
}

function condition(text: string, tables: Tables): Condition {
  const match = /^([\w.]+) (=|>=|<=|>|<|IN) (.+)$/i.exec(text.trim())
  if (!match?.[1] || !match[2] || !match[3]) throw new QueryError(`Invalid condition: ${text}`)
  const op = match[2].toUpperCase() as Condition['op']
  const raw = match[3].trim()
  if (op === 'IN') {
    const list = /^\((.*)\)$/.exec(raw)
    if (!list?.[1]) throw new QueryError(`Invalid IN list: ${raw}`)
    return { column: match[1], op, value: splitTop(list[1]).map((v) => literal(v, tables)) }
  }
  return { column: match[1], op, value: literal(raw, tables) }
}

function literal(raw: string, tables: Tables): Cell {
  const value = raw.trim()
  const quoted = /^'([^']*)'$/.exec(value)
  if (quoted) return quoted[1] ?? ''
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value)
  const stamp = /^TO_TIMESTAMP\('([^']*)', ?'([^']*)'\)$/i.exec(value)
  if (stamp?.[1] !== undefined && stamp[2] === timestampFormat) {
    const at = Date.parse(`${stamp[1].replace(' ', 'T')}Z`)
    if (Number.isNaN(at)) throw new QueryError(`Invalid date: ${stamp[1]}`)
    // Read in the account's time zone.
    return at / 1000 - tables.zoneOffset
  }
  throw new QueryError(`Invalid value: ${value}`)
}

/** One selected expression: its name in the answer and how it is read from a row. */
function projection(expression: string, tables: Tables) {
  const aliased = /^(.+?) AS (\w+)$/i.exec(expression.trim())
  const source = (aliased?.[1] ?? expression).trim()
  const toChar = /^TO_CHAR\(([\w.]+), ?'([^']*)'\)$/i.exec(source)
  if (toChar?.[1] && toChar[2] === timestampFormat) {
    const column = toChar[1]
    const name = aliased?.[2] ?? column.split('.').at(-1) ?? column
    return {
      name: name.toLowerCase(),
      value: (row: Row): string | null => {
        const at = column.toUpperCase() === 'SYSDATE' ? tables.now : cell(row, column)
        return at === null ? null : accountTime(Number(at), tables.zoneOffset)
      },
    }
  }
  if (!/^[\w.]+$/.test(source)) throw new QueryError(`Invalid column: ${source}`)
  const plain = (source.split('.').at(-1) ?? source).toLowerCase()
  const name = (aliased?.[2] ?? plain).toLowerCase()
  return {
    name,
    value: (row: Row): string | null => {
      const v = cell(row, source)
      if (v === null) return null
      // Dates come back in the user's date format, without the time.
      if (tables.dates.has(plain)) return userDate(Number(v), tables.zoneOffset)
      return String(v)
    },
  }
}

export function accountTime(seconds: number, zoneOffset: number): string {
  return new Date((seconds + zoneOffset) * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

function userDate(seconds: number, zoneOffset: number): string {
  const [y, m, d] = accountTime(seconds, zoneOffset).slice(0, 10).split('-')
  return `${d}/${m}/${y}`
}

/** Splits on commas outside parentheses and quotes. */
function splitTop(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let current = ''
  for (const char of text) {
    if (char === "'") quoted = !quoted
    if (!quoted && char === '(') depth++
    if (!quoted && char === ')') depth--
    if (!quoted && depth === 0 && char === ',') {
      parts.push(current.trim())
      current = ''
      continue
    }
    current += char
  }
  if (current.trim() !== '') parts.push(current.trim())
  return parts
}
