import type { createTransport } from 'nodemailer'

export interface MailMessage {
  to: string | string[]
  cc?: string[]
  subject: string
  text: string
  html?: string
  /** The Message-ID header, `<id@domain>`; bounces quote it. */
  messageId?: string
  /** The envelope sender, where bounces go (a VERP address names the message). */
  returnPath?: string
}

/** The addresses the SMTP server took and those it refused. */
export interface MailSent {
  accepted: string[]
  rejected: string[]
}

export interface Mailer {
  send(message: MailMessage): Promise<MailSent>
  close(): void
}

/**
 * Sends email through the SMTP server of `smtpUrl` (smtp://user:pass@host:587, smtps://…). The
 * connection settings are read on the first message; each message opens its own connection, which
 * suits a few notifications a day better than a pool kept open.
 */
export function createMailer(smtpUrl: string, options: { from?: string } = {}): Mailer {
  let transport: ReturnType<typeof createTransport> | undefined
  // nodemailer is loaded with the first message: most commands never send one.
  const transportFor = async () =>
    (transport ??= (await import('nodemailer')).createTransport(
      {
        url: smtpUrl,
        // A background job should fail and retry rather than hang on a silent server.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      },
      options.from === undefined ? {} : { from: options.from },
    ))
  return {
    async send({ returnPath, ...message }) {
      const recipients = [message.to, message.cc ?? []].flat()
      const info: unknown = await (
        await transportFor()
      ).sendMail({
        ...message,
        ...(returnPath ? { envelope: { from: returnPath, to: recipients } } : {}),
      })
      const addresses = (list: unknown): string[] =>
        Array.isArray(list)
          ? list.map((a: unknown) => {
              if (typeof a === 'string') return a
              const address = (a as { address?: unknown }).address
              return typeof address === 'string' ? address : ''
            })
          : []
      const sent = (info ?? {}) as { accepted?: unknown; rejected?: unknown }
      return { accepted: addresses(sent.accepted), rejected: addresses(sent.rejected) }
    },
    close() {
      transport?.close()
      transport = undefined
    },
  }
}
