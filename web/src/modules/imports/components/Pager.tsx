import { Button, Group, Text } from '@mantine/core'
import { IconChevronLeft, IconChevronRight } from '@tabler/icons-react'
import { useState } from 'react'

/** Keyset paging: the cursors of the pages seen so far, to go back. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  return {
    cursor: cursors[cursors.length - 1] ?? null,
    page: cursors.length,
    next: (cursor: string) => setCursors((seen) => [...seen, cursor]),
    previous: () => setCursors((seen) => (seen.length > 1 ? seen.slice(0, -1) : seen)),
    reset: () => setCursors([null]),
  }
}

export function Pager({
  label,
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  label: string
  page: number
  nextCursor: string | null
  onNext: (cursor: string) => void
  onPrevious: () => void
}) {
  if (page === 1 && !nextCursor) return null
  return (
    <Group justify="space-between" component="nav" aria-label={label}>
      <Button
        variant="default"
        size="xs"
        leftSection={<IconChevronLeft size={16} aria-hidden />}
        disabled={page === 1}
        onClick={onPrevious}
      >
        Previous page
      </Button>
      <Text size="sm" c="dimmed">
        Page {page}
      </Text>
      <Button
        variant="default"
        size="xs"
        rightSection={<IconChevronRight size={16} aria-hidden />}
        disabled={!nextCursor}
        onClick={() => nextCursor && onNext(nextCursor)}
      >
        Next page
      </Button>
    </Group>
  )
}
