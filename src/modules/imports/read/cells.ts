import type { CellValue } from 'exceljs'

/**
 * A cell as text, the way the user sees it in Excel: strings as typed, numbers without exponent
 * (zero-padded when the format pads them), dates in ISO 8601, formulas by their last result.
 */
export function cellText(value: CellValue, numFmt: string | undefined, date1904: boolean): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number') return numberText(value, numFmt, date1904)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return dateText(value)
  if ('richText' in value) return value.richText.map((run) => run.text as string | null).join('')
  if ('error' in value) return value.error
  if ('formula' in value || 'sharedFormula' in value) {
    return cellText(value.result, numFmt, date1904)
  }
  if ('hyperlink' in value) return value.text
  return ''
}

function numberText(value: number, numFmt: string | undefined, date1904: boolean): string {
  if (Number.isNaN(value)) return ''
  if (numFmt && isDateFormat(numFmt)) return dateText(serialToDate(value, date1904))
  if (numFmt && /^0+$/.test(numFmt) && Number.isInteger(value)) {
    return (value < 0 ? '-' : '') + String(Math.abs(value)).padStart(numFmt.length, '0')
  }
  return plainNumber(value)
}

// The same test exceljs makes before turning a number into a Date, so that formula results,
// which it leaves as numbers, read like the values it converts.
function isDateFormat(numFmt: string): boolean {
  return /[ymdhMsb]/.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''))
}

const serialToDate = (serial: number, date1904: boolean) =>
  new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000))

/** YYYY-MM-DD, with THH:MM:SS when there is a time of day; the time alone before 1900. */
function dateText(date: Date): string {
  const time = date.getTime()
  if (Number.isNaN(time)) return ''
  const iso = new Date(Math.round(time / 1000) * 1000).toISOString()
  const [day, clock] = [iso.slice(0, 10), iso.slice(11, 19)]
  if (day < '1900-01-01') return clock
  return clock === '00:00:00' ? day : `${day}T${clock}`
}

/**
 * The shortest decimal writing of the number as Excel keeps it (15 significant digits, so
 * 0.1 + 0.2 reads 0.3), never in exponent notation: 33612345678 stays 33612345678.
 */
export function plainNumber(value: number): string {
  const text = String(Number(value.toPrecision(15)))
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const [, sign = '', first = '', rest = '', exponent = '0'] = match
  const digits = first + rest
  const point = 1 + Number(exponent)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length)
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}
