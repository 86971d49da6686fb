import type { importStatuses } from '@contracts/imports.ts'

export type ImportStatus = (typeof importStatuses)[number]

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })
const number = new Intl.NumberFormat()

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso))
export const formatCount = (value: number): string => number.format(value)

/** "1 line", "2,431 lines". */
export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${formatCount(count)} ${count === 1 ? one : many}`

export function formatSize(bytes: number): string {
  if (bytes < 1024) return plural(bytes, 'byte')
  if (bytes < 1024 * 1024) return `${formatCount(Math.ceil(bytes / 1024))} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

export const delimiterLabels: Record<string, string> = {
  ';': 'Semicolon (;)',
  ',': 'Comma (,)',
  '|': 'Pipe (|)',
  '\t': 'Tab',
}

export const encodingLabels: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 (little-endian)',
  'utf-16be': 'UTF-16 (big-endian)',
  'windows-1252': 'Windows-1252 (Western Europe)',
  'iso-8859-1': 'ISO-8859-1 (Latin-1)',
}

export const statusInfo: Record<ImportStatus, { label: string; color: string }> = {
  uploaded: { label: 'Not submitted', color: 'gray' },
  mapped: { label: 'Not submitted', color: 'gray' },
  queued: { label: 'Waiting to start', color: 'blue' },
  running: { label: 'Running', color: 'blue' },
  completed: { label: 'Completed', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'orange' },
}

export const isActive = (status: ImportStatus): boolean =>
  status === 'queued' || status === 'running'

export const isSubmitted = (status: ImportStatus): boolean =>
  status !== 'uploaded' && status !== 'mapped'
