import type { importStatuses } from '@contracts/imports.ts'
import { formatCount, plural } from '../../platform/plural.ts'

export type ImportStatus = (typeof importStatuses)[number]

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso))
export { formatCount, plural, pluralOf } from '../../platform/plural.ts'

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
