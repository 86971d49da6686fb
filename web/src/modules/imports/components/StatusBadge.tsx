import { Badge } from '@mantine/core'
import { statusInfo, type ImportStatus } from '../format.ts'

export function StatusBadge({ status }: { status: ImportStatus }) {
  const { label, color } = statusInfo[status]
  return (
    <Badge color={color} variant="light">
      {label}
    </Badge>
  )
}
