import type { Readable } from 'node:stream'
import yauzl, { type Entry, type ZipFile } from 'yauzl'
import { AppError } from '../../../platform/errors.ts'
import { refused, saveAsAdvice, type ReadLimits } from './types.ts'

// Spreadsheet XML compresses about tenfold, even when every row is alike; a zip bomb a
// thousandfold. Small entries are left alone: their ratio says little.
const MAX_RATIO = 200
const RATIO_FROM_BYTES = 1024 * 1024

export interface Zip {
  entries: Map<string, Entry>
  /** The entry's content, inflated, checked against its declared size as it is read. */
  open(entry: Entry): Promise<Readable>
  close(): void
}

const damaged = () =>
  refused(
    'This file looks like an Excel workbook but it is damaged and cannot be read. Open it in ' +
      'Excel and save it again, or save it as CSV.',
  )

/** Any failure that is not already a refusal means the archive is damaged. */
export function asRefusal(error: unknown): AppError {
  if (error instanceof AppError) return error
  return Object.assign(damaged(), { cause: error })
}

const gigabytes = (bytes: number) => `${Math.round((bytes / 1024 ** 3) * 10) / 10} GB`

/**
 * Opens the archive and reads its central directory, refusing it before anything is inflated
 * when its declared content is larger than the limit or compressed like a zip bomb.
 */
export async function openZip(path: string, limits: ReadLimits): Promise<Zip> {
  let zip: ZipFile
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false })
  } catch (error) {
    throw asRefusal(error)
  }
  try {
    const entries = new Map<string, Entry>()
    let total = 0
    for await (const entry of zip.eachEntry()) {
      total += entry.uncompressedSize
      if (total > limits.maxUncompressedBytes) {
        throw refused(
          `This workbook takes more than ${gigabytes(limits.maxUncompressedBytes)} once opened, ` +
            'which is more than can be imported. Split it into smaller files, or save it as CSV.',
        )
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1)
      if (entry.uncompressedSize > RATIO_FROM_BYTES && ratio > MAX_RATIO) {
        throw refused(
          'This workbook is compressed in an unusual way that is used to attack servers (a zip ' +
            'bomb), so it was not opened. Open it in Excel and save it again, or save it as CSV.',
        )
      }
      entries.set(entry.fileName, entry)
    }
    return {
      entries,
      open: (entry) => zip.openReadStreamPromise(entry),
      close: () => {
        zip.close()
      },
    }
  } catch (error) {
    zip.close()
    throw asRefusal(error)
  }
}

/** Why a zip without xl/workbook.xml cannot be imported. */
export function notAWorkbook(entries: Map<string, Entry>): AppError {
  if (entries.has('xl/workbook.bin')) {
    return refused(
      `This is an Excel binary workbook (.xlsb), which cannot be read. ${saveAsAdvice}`,
    )
  }
  if (entries.has('content.xml') && entries.has('mimetype')) {
    return refused(
      `This is an OpenDocument spreadsheet (.ods), which cannot be read. ${saveAsAdvice}`,
    )
  }
  return refused(
    'This file is a zip archive, not an Excel workbook. Upload the CSV or Excel (.xlsx) file ' +
      'itself, or save your spreadsheet as .xlsx or CSV.',
  )
}
