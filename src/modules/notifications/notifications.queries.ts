import type { NotificationKind } from '../../contracts/notifications.ts'
import type { DbOrTx } from '../../platform/db/client.ts'
import { notifications } from '../../platform/db/schema/index.ts'

export async function insertNotification(
  db: DbOrTx,
  organizationId: string,
  memberId: string,
  message: {
    kind: NotificationKind
    title: string
    body: string
    subject?: Record<string, string> | null
  },
): Promise<void> {
  await db.insert(notifications).values({
    organizationId,
    memberId,
    kind: message.kind,
    title: message.title,
    body: message.body,
    subject: message.subject ?? null,
  })
}
