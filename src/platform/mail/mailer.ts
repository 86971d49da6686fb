import { createTransport } from 'nodemailer'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
}

export interface Mailer {
  send(message: MailMessage): Promise<void>
  close(): void
}

/**
 * Sends email through the SMTP server of `smtpUrl` (smtp://user:pass@host:587, smtps://…). The
 * connection settings are read on the first message; each message opens its own connection, which
 * suits a few notifications a day better than a pool kept open.
 */
export function createMailer(smtpUrl: string, options: { from?: string } = {}): Mailer {
  let transport: ReturnType<typeof createTransport> | undefined
  const transportFor = () =>
    (transport ??= createTransport(
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
    async send(message) {
      await transportFor().sendMail(message)
    },
    close() {
      transport?.close()
      transport = undefined
    },
  }
}
