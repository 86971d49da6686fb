const number = new Intl.NumberFormat()

/** A count with the browser's digit grouping: "2,431" (en), "2 431" (fr). */
export const formatCount = (value: number): string => number.format(value)

/** A count and its noun, singular for one: "1 line", "2,431 lines", plural(n, 'line was', 'lines were'). */
export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${formatCount(count)} ${count === 1 ? one : many}`

/** A part of a whole, the noun agreeing with the whole: "6 of 11 lines", "1 of 1 line". */
export const pluralOf = (part: number, total: number, one: string, many = `${one}s`): string =>
  `${formatCount(part)} of ${plural(total, one, many)}`
