import { Badge } from '@mantine/core'
import { sourceNames, type RecordSource } from '@contracts/customers.ts'

export const sourceName = (source: string): string =>
  Object.hasOwn(sourceNames, source) ? sourceNames[source as RecordSource] : source

/** Where a record comes from: Roster itself, or a connected system that owns it. */
export function SourceBadge({ source }: { source: string }) {
  return (
    <Badge
      tt="none"
      styles={{ root: { overflow: 'visible' }, label: { overflow: 'visible' } }}
      variant={source === 'roster' ? 'outline' : 'light'}
      color={source === 'roster' ? 'gray' : 'grape'}
    >
      {sourceName(source)}
    </Badge>
  )
}
