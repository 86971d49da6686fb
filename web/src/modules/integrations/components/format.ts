import type { SyncRun } from '../api/integrations.ts'

export const when = (at: string | null): string => (at ? new Date(at).toLocaleString() : '—')

export const runStatusNames: Record<SyncRun['status'], string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

export const runStatusColors: Record<SyncRun['status'], string> = {
  queued: 'blue',
  running: 'blue',
  completed: 'teal',
  failed: 'red',
  cancelled: 'gray',
}

export const triggerNames: Record<SyncRun['trigger'], string> = {
  schedule: 'Scheduled',
  manual: 'Manual',
  webhook: 'Webhook',
  cli: 'Command line',
}

export const countsText = ({ counts }: SyncRun): string =>
  `${counts.created} created, ${counts.updated} updated, ${counts.archived} archived, ${counts.skipped} skipped`
