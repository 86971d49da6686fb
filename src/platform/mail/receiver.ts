import type { AddressInfo } from 'node:net'

/** A message received: its envelope and raw bytes. */
export interface ReceivedMessage {
  /** The envelope sender; empty for a bounce (`MAIL FROM:<>`). */
  from: string
  /** The envelope recipients, those `accepts` took. */
  to: string[]
  raw: Buffer
}

export interface ReceiverOptions {
  host: string
  /** 0 picks a free port (tests). */
  port: number
  /** Whether mail to this address is taken; others are refused at RCPT TO (550). */
  accepts(address: string): boolean
  /** Why others are refused, e.g. "this server receives only bounces for …". */
  refusal: string
  /**
   * Handles one message. The SMTP answer waits for it: its text goes back to the sender (250);
   * a throw answers 451 so that the sending server tries again later.
   */
  handle(message: ReceivedMessage): Promise<string>
  /** Largest message taken, in bytes. */
  maxBytes?: number
}

export interface Receiver {
  port: number
  close(): Promise<void>
}

/** A 4xx or 5xx answer to the SMTP client. */
const answer = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code })

/**
 * An SMTP server that takes mail for the addresses `accepts` allows and hands each message to
 * `handle`. No authentication nor TLS: it listens behind the organisation's mail server (on
 * 127.0.0.1 unless told otherwise), which relays it what comes back to the bounce address.
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024
  // Loaded here: only the process that receives bounces needs it.
  const { SMTPServer } = await import('smtp-server')
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: maxBytes,
    banner: 'Roster bounce receiver',
    onRcptTo(address, _session, callback) {
      if (options.accepts(address.address)) {
        callback()
        return
      }
      callback(answer(550, options.refusal))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(answer(552, `The message is larger than ${String(maxBytes)} bytes.`))
          return
        }
        const from = session.envelope.mailFrom
        options
          .handle({
            from: from ? from.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          })
          .then(
            (message) => {
              // One line of an SMTP answer.
              callback(null, message.replace(/\s+/g, ' ').slice(0, 400))
            },
            (error: unknown) => {
              const reason = error instanceof Error ? error.message : String(error)
              const line = reason.replace(/\s+/g, ' ').slice(0, 300)
              callback(answer(451, `Not processed, try again later: ${line}`))
            },
          )
      })
    },
  })
  // Errors of one connection (a client gone) are the client's; the server keeps listening.
  server.on('error', () => undefined)
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      }),
  }
}
