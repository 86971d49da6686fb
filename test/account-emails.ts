import {
  sendAccountEmail,
  type AccountEmail,
} from '../src/modules/organizations/account-emails.job.ts'
import { loadConfig } from '../src/platform/config.ts'
import type { Store } from '../src/platform/db/client.ts'
import type { Queue } from '../src/platform/queue/queue.ts'
import type { ReceivedMail } from './reminders/smtp.ts'

/**
 * Sends the invitation and password-reset emails queued in this test file's queue, as a worker
 * would, to the test's SMTP server (the shared workers leave them: test/support.ts).
 */
export async function sendQueuedAccountEmails(
  store: Store,
  queue: Queue,
  smtpUrl: string,
  publicUrl: string,
): Promise<number> {
  const config = loadConfig({ ...process.env, SMTP_URL: smtpUrl, ROSTER_PUBLIC_URL: publicUrl })
  const jobs = await queue.boss.findJobs<AccountEmail>(sendAccountEmail.name, { queued: true })
  for (const job of jobs) await sendAccountEmail.handle({ db: store.db, config }, job.data, job)
  if (jobs.length > 0) {
    await queue.boss.deleteJob(
      sendAccountEmail.name,
      jobs.map((job) => job.id),
    )
  }
  return jobs.length
}

/** A message's text, quoted-printable undone (enough of MIME for assertions). */
export const decoded = (raw: string): string =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/** The link to `path` in the last email to `email`, and its token. */
export function linkIn(
  mails: ReceivedMail[],
  email: string,
  path: '/invitation' | '/reset-password',
): { url: string; token: string } {
  const mail = mails
    .filter((m) => m.to.includes(email.toLowerCase()) || m.to.includes(email))
    .at(-1)
  if (!mail) throw new Error(`no email to ${email}`)
  const match = new RegExp(`(https?://[^\\s"<>]+${path}#token=([A-Za-z0-9_-]+))`).exec(
    decoded(mail.raw),
  )
  if (!match?.[1] || !match[2]) throw new Error(`no ${path} link in the email to ${email}`)
  return { url: match[1], token: match[2] }
}
