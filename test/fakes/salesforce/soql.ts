/**
 * Just enough SOQL for the Salesforce fake (test tooling): `SELECT fields FROM Object [WHERE
 * a AND b …] [ORDER BY …] [LIMIT n]`, with child subqueries `(SELECT … FROM Contacts …)`,
 * relationship fields (`Owner.Email`), and the conditions Roster sends: comparisons with
 * datetime literals, `!= null`, `= true|false|'text'` and `Id IN ('…', …)`.
 */

export interface Condition {
  field: string
  op: '=' | '!=' | '>' | '>=' | '<' | '<=' | 'IN'
  value: string | number | boolean | null | string[]
}

export interface Soql {
  fields: string[]
  children: Soql[]
  object: string
  where: Condition[]
  orderBy: string[]
  limit: number | null
}

export class SoqlError extends Error {
  readonly code: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE'
  constructor(code: SoqlError['code'], message: string) {
    super(message)
    this.code = code
  }
}

function literal(text: string): Condition['value'] {
  const t = text.trim()
  if (/^null$/i.test(t)) return null
  if (/^true$/i.test(t)) return true
  if (/^false$/i.test(t)) return false
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replace(/\\'/g, "'")
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.test(t)) return t
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t)
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t}'`)
}

export function parseSoql(text: string): Soql {
  const children: Soql[] = []
  const flat = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\(\s*(SELECT [^()]*)\)/gi, (_all, inner: string) => {
      children.push(parseSoql(inner))
      return `__child${children.length - 1}`
    })
  const match =
    /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: ORDER BY (.+?))?(?: LIMIT (\d+))?$/i.exec(flat)
  if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected query: ${text}`)
  const [, fieldList = '', object = '', where, order, limit] = match
  const fields = fieldList
    .split(',')
    .map((f) => f.trim())
    .filter((f) => !/^__child\d+$/.test(f))
  const conditions: Condition[] = []
  if (where) {
    for (const part of where.split(/ AND /i)) {
      const inMatch = /^(\w+) IN \((.*)\)$/i.exec(part.trim())
      if (inMatch) {
        const values = (inMatch[2] ?? '').split(',').map((v) => literal(v))
        conditions.push({ field: inMatch[1] ?? '', op: 'IN', value: values.map(String) })
        continue
      }
      const cmp = /^([\w.]+) ?(>=|<=|!=|=|>|<) ?(.+)$/.exec(part.trim())
      if (!cmp) throw new SoqlError('MALFORMED_QUERY', `unexpected condition: ${part}`)
      conditions.push({
        field: cmp[1] ?? '',
        op: cmp[2] as Condition['op'],
        value: literal(cmp[3] ?? ''),
      })
    }
  }
  return {
    fields,
    children,
    object,
    where: conditions,
    orderBy: order ? order.split(',').map((o) => o.trim().split(' ')[0] ?? '') : [],
    limit: limit ? Number(limit) : null,
  }
}

type Row = Record<string, unknown>

const time = (value: unknown): number =>
  typeof value === 'string' ? Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : NaN

export function matches(row: Row, conditions: Condition[]): boolean {
  return conditions.every(({ field, op, value }) => {
    const actual = row[field]
    if (op === 'IN') return (value as string[]).includes(String(actual))
    if (value === null) return op === '=' ? actual == null : actual != null
    if (typeof value === 'string' && !Number.isNaN(time(value)) && /T/.test(value)) {
      const a = time(actual)
      const b = time(value)
      return { '=': a === b, '!=': a !== b, '>': a > b, '>=': a >= b, '<': a < b, '<=': a <= b }[op]
    }
    return op === '=' ? actual === value : op === '!=' ? actual !== value : false
  })
}

export function sortRows(rows: Row[], orderBy: string[]): Row[] {
  return [...rows].sort((a, b) => {
    for (const field of orderBy) {
      const x = a[field]
      const y = b[field]
      const tx = time(x)
      const ty = time(y)
      const cmp =
        !Number.isNaN(tx) && !Number.isNaN(ty) ? tx - ty : String(x).localeCompare(String(y))
      if (cmp !== 0) return cmp
    }
    return 0
  })
}
