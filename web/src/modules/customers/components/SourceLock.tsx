import { Alert } from '@mantine/core'
import { IconLock } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { sourceName } from './SourceBadge.tsx'

/** Why something is read-only: the source that owns it, and where to change it instead. */
export function SourceLock({ source, children }: { source: string; children: ReactNode }) {
  const name = sourceName(source)
  return (
    <Alert
      color="grape"
      variant="light"
      icon={<IconLock size={18} aria-hidden />}
      title={`Synced from ${name}`}
      role="note"
    >
      {children} Change them in {name}; the next sync brings the change here.
    </Alert>
  )
}
