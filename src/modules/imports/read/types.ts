import { importDelimiters, importEncodings, type ResolvedRead } from '../../../contracts/imports.ts'
import { AppError } from '../../../platform/errors.ts'

export type FileFormat = 'csv' | 'xlsx'
export type Encoding = (typeof importEncodings)[number]
export type Delimiter = (typeof importDelimiters)[number]

export const encodings: readonly Encoding[] = importEncodings
export const delimiters: readonly Delimiter[] = importDelimiters

/**
 * What the user may override; anything absent is detected. headerRow is the 1-based row number
 * as a spreadsheet shows it.
 */
export interface ReadOptions {
  encoding?: Encoding
  delimiter?: Delimiter
  sheet?: string
  headerRow?: number
}

/** Fully resolved options, stored with the import and used to re-read the file identically. */
export type { ResolvedRead }

/** A non-blank row; line is its row number as a spreadsheet shows it (the first row is 1). */
export interface FileRecord {
  line: number
  cells: string[]
}

export interface Inspection extends ResolvedRead {
  /** xlsx: the worksheet names in order; csv: none. */
  sheets: string[]
  /** The header row's cells, trimmed; a blank one becomes "Column N". */
  columns: string[]
  /** The first data records after the header, at most 20. */
  sample: FileRecord[]
}

export interface ReadLimits {
  /** Largest total size of an xlsx once unzipped: a guard against zip bombs. */
  maxUncompressedBytes: number
}

export const defaultReadLimits: ReadLimits = { maxUncompressedBytes: 1024 ** 3 }

export const refused = (message: string): AppError => new AppError('file_refused', message)

export const saveAsAdvice = 'Save it from your spreadsheet as Excel Workbook (.xlsx) or CSV.'
