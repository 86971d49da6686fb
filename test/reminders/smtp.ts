import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll } from 'vitest'

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

/**
 * A real SMTP server in this process, so reminders go through nodemailer and SMTP end to end.
 * `refuseNext` makes the next messages fail with the SMTP answers given (451: try later, 550: no).
 */
export async function startSmtp() {
  const mails: ReceivedMail[] = []
  const refusals: { code: number; message: string }[] = []
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username })
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const refusal = refusals.shift()
        if (refusal) {
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }))
          return
        }
        const from = session.envelope.mailFrom
        mails.push({
          from: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  )
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://roster:secret@127.0.0.1:${String(port)}`,
    mails,
    refuseNext: (code: number, message: string) => refusals.push({ code, message }),
  }
}

/** A header of a raw message (unfolded). */
export function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? ''
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
  const line = unfolded
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
  return line?.slice(name.length + 1).trim()
}

/**
 * A delivery status notification (RFC 3464) as a receiving server writes one: a human part, the
 * machine-readable report per recipient, and the returned message's headers (or the whole
 * message) with its Message-ID.
 */
export function deliveryReport(report: {
  to: string
  messageId: string
  recipients: { email: string; action: string; status: string; diagnostic?: string }[]
  returned?: 'headers' | 'message'
}): string {
  const boundary = 'report-boundary-42'
  const perRecipient = report.recipients.flatMap((r) => [
    '',
    `Final-Recipient: rfc822; ${r.email}`,
    `Action: ${r.action}`,
    `Status: ${r.status}`,
    ...(r.diagnostic ? [`Diagnostic-Code: smtp; ${r.diagnostic}`] : []),
  ])
  const returnedHeaders = [
    `Message-ID: ${report.messageId}`,
    'From: ar@acme.test',
    'Subject: Overdue invoices',
  ]
  const returned =
    report.returned === 'message'
      ? ['Content-Type: message/rfc822', '', ...returnedHeaders, '', 'Please pay.']
      : ['Content-Type: text/rfc822-headers', '', ...returnedHeaders]
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.globex.test>',
    `To: ${report.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This is the mail system at host mx.globex.test. Your message could not be delivered.',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.globex.test',
    'Arrival-Date: Mon, 7 Dec 2026 10:00:00 +0000',
    ...perRecipient,
    '',
    `--${boundary}`,
    ...returned,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n')
}
