import { Group, Title } from '@mantine/core'
import { useDocumentTitle } from '@mantine/hooks'
import type { ReactNode } from 'react'

/** A screen's heading, also the browser tab's title; `actions` go to its right. */
export function PageTitle({ title, actions }: { title: string; actions?: ReactNode }) {
  useDocumentTitle(`${title} · Roster`)
  return (
    <Group justify="space-between" mb="md" wrap="wrap" gap="sm">
      <Title order={1} size="h2">
        {title}
      </Title>
      {actions && <Group gap="sm">{actions}</Group>}
    </Group>
  )
}
