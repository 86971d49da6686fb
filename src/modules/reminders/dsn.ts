import type { Attachment, ParsedMail, SimpleParserOptions } from 'mailparser'

/** mailparser's parser, loaded on first use: only the bounce receiver reads mail. */
async function simpleParser(
  source: Buffer | string,
  options: SimpleParserOptions,
): Promise<ParsedMail> {
  return (await import('mailparser')).simpleParser(source, options)
}

/** What a delivery status notification (RFC 3464) says of one recipient. */
export interface DsnRecipient {
  /** The address that failed (Final-Recipient, else Original-Recipient). */
  recipient: string
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  action: string
  /** The status code, `5.1.1`: 5 is permanent, 4 temporary. */
  status: string
  /** The remote server's answer, when the report gives it. */
  diagnostic: string | null
  /** Failed for good: a hard bounce. Failed for now or delayed: a soft one; else no bounce. */
  kind: 'hard' | 'soft' | null
}

export interface DeliveryReport {
  recipients: DsnRecipient[]
  /** The Message-ID of the message the report is about, from the headers it returns. */
  originalMessageId: string | null
}

const reportParts = ['message/delivery-status', 'message/global-delivery-status']
const returnedParts = [
  'text/rfc822-headers',
  'message/rfc822',
  'message/global',
  'message/global-headers',
]

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '')

/** `rfc822; ann@example.com` → `ann@example.com`: a field's value after its type (RFC 3464). */
const withoutType = (field: string): string => {
  const semicolon = field.indexOf(';')
  return (semicolon === -1 ? field : field.slice(semicolon + 1)).trim()
}

function kindOf(action: string, status: string): DsnRecipient['kind'] {
  if (action === 'delayed') return 'soft'
  if (action !== 'failed') return null
  if (status.startsWith('5.')) return 'hard'
  return 'soft'
}

/** The fields of one block of a delivery-status part, read as mail headers by mailparser. */
async function fieldsOf(block: string): Promise<Map<string, unknown>> {
  const parsed = await simpleParser(`${block}\r\n\r\n`, { skipHtmlToText: true })
  return parsed.headers
}

async function messageIdOf(part: Attachment): Promise<string | null> {
  const headersOnly = part.contentType.endsWith('headers')
  const content = part.content.toString('utf8')
  const parsed = await simpleParser(headersOnly ? `${content.trimEnd()}\r\n\r\n` : content, {
    skipHtmlToText: true,
  })
  return parsed.messageId ?? null
}

/**
 * Reads a delivery status notification (a `multipart/report; report-type=delivery-status`
 * message) with mailparser: per recipient, what happened, and the Message-ID of the message it
 * reports on. Null for any other message (an auto-reply, a report of another type).
 */
export async function readDeliveryReport(raw: Buffer | string): Promise<DeliveryReport | null> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true })
  const contentType = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined
  if (contentType?.value?.toLowerCase() !== 'multipart/report') return null
  const reportType = contentType.params?.['report-type']?.toLowerCase()
  if (reportType !== 'delivery-status' && reportType !== 'global-delivery-status') return null
  const status = mail.attachments.find((part) =>
    reportParts.includes(part.contentType.toLowerCase()),
  )
  if (!status) return null
  // The first block is about the message, each following one about one recipient.
  const [, ...blocks] = status.content
    .toString('utf8')
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .filter((block) => block.trim() !== '')
  const recipients: DsnRecipient[] = []
  for (const block of blocks) {
    const fields = await fieldsOf(block)
    const recipient = withoutType(
      text(fields.get('final-recipient')) || text(fields.get('original-recipient')),
    ).replace(/^<|>$/g, '')
    if (recipient === '') continue
    const action = text(fields.get('action')).toLowerCase()
    const code = text(fields.get('status'))
    const diagnostic = text(fields.get('diagnostic-code'))
    recipients.push({
      recipient,
      action,
      status: code,
      diagnostic: diagnostic === '' ? null : withoutType(diagnostic),
      kind: kindOf(action, code),
    })
  }
  const returned = mail.attachments.find((part) =>
    returnedParts.includes(part.contentType.toLowerCase()),
  )
  const originalMessageId = returned ? await messageIdOf(returned) : null
  return { recipients, originalMessageId }
}
