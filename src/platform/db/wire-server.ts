import { createServer, type Server, type Socket } from 'node:net'
import type { PGlite } from '@electric-sql/pglite'

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const CANCEL_REQUEST = 80877102
const TERMINATE = 0x58 // 'X'
const READY_FOR_QUERY = 0x5a // 'Z'
const IDLE = 0x49 // 'I'
const SYNC = new Uint8Array([0x53, 0, 0, 0, 4])

/**
 * Follows the backend's replies message by message, to know whether the last one is
 * ReadyForQuery and with which transaction status.
 */
class ReplyTracker {
  private header = Buffer.alloc(0)
  private remaining = 0
  private lastType = 0
  private status = 0

  feed(chunk: Uint8Array): void {
    let offset = 0
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset)
        if (this.lastType === READY_FOR_QUERY && take > 0)
          this.status = chunk[offset + take - 1] ?? 0
        this.remaining -= take
        offset += take
        continue
      }
      const need = 5 - this.header.length
      const part = chunk.subarray(offset, offset + need)
      this.header = Buffer.concat([this.header, part])
      offset += part.length
      if (this.header.length === 5) {
        this.lastType = this.header[0] ?? 0
        this.remaining = this.header.readInt32BE(1) - 4
        this.status = 0
        this.header = Buffer.alloc(0)
      }
    }
  }

  /** True when the backend waits for any client: the last reply is ReadyForQuery, idle. */
  get idle(): boolean {
    return this.remaining === 0 && this.lastType === READY_FOR_QUERY && this.status === IDLE
  }
}

interface Client {
  socket: Socket
  buffer: Buffer
  started: boolean
  queue: Uint8Array[]
  closed: boolean
}

/**
 * Serves one PGlite instance to several Postgres clients. PGlite has a single session, so
 * messages from different clients must never interleave while the session is busy with one of
 * them: a client keeps the session from its first message until PGlite answers ReadyForQuery
 * with the idle status — which covers extended-protocol sequences (Parse … Sync), explicit
 * transactions and COPY alike. Other clients' messages wait their turn, in arrival order.
 */
export class WireServer {
  private readonly db: PGlite
  private readonly clients = new Set<Client>()
  private owner: Client | null = null
  private running = false
  private server: Server | undefined

  constructor(db: PGlite) {
    this.db = db
  }

  listen(path: string): Promise<void> {
    const server = createServer((socket) => {
      this.accept(socket)
    })
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        resolve()
      })
    })
  }

  async close(): Promise<void> {
    for (const client of this.clients) client.socket.destroy()
    await new Promise<void>((resolve) => {
      if (this.server)
        this.server.close(() => {
          resolve()
        })
      else resolve()
    })
  }

  private accept(socket: Socket): void {
    const client: Client = {
      socket,
      buffer: Buffer.alloc(0),
      started: false,
      queue: [],
      closed: false,
    }
    this.clients.add(client)
    socket.on('data', (chunk: Buffer) => {
      client.buffer = Buffer.concat([client.buffer, chunk])
      this.split(client)
      void this.pump()
    })
    socket.on('error', () => {
      void this.drop(client)
    })
    socket.on('close', () => {
      void this.drop(client)
    })
  }

  /** Cuts whole messages off the client's buffer into its queue. */
  private split(client: Client): void {
    for (;;) {
      const buffer = client.buffer
      if (!client.started) {
        if (buffer.length < 8) return
        const length = buffer.readInt32BE(0)
        if (buffer.length < length) return
        const code = buffer.readInt32BE(4)
        client.buffer = buffer.subarray(length)
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.socket.write('N')
          continue
        }
        if (code === CANCEL_REQUEST) {
          client.socket.end()
          return
        }
        client.started = true
        client.queue.push(Uint8Array.from(buffer.subarray(0, length)))
        continue
      }
      if (buffer.length < 5) return
      const length = 1 + buffer.readInt32BE(1)
      if (buffer.length < length) return
      const type = buffer[0]
      client.buffer = buffer.subarray(length)
      if (type === TERMINATE) {
        client.socket.end()
        return
      }
      client.queue.push(Uint8Array.from(buffer.subarray(0, length)))
    }
  }

  private next(): Client | undefined {
    if (this.owner) return this.owner.queue.length > 0 ? this.owner : undefined
    for (const client of this.clients) if (client.queue.length > 0) return client
    return undefined
  }

  private async pump(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      for (let client = this.next(); client; client = this.next()) {
        const message = client.queue.shift()
        if (!message) continue
        const tracker = new ReplyTracker()
        const target = client
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(message, {
            onRawData: (data) => {
              tracker.feed(data)
              // A copy: `data` may be a view of PGlite's memory, which the next chunk overwrites
              // while a socket that is not keeping up still holds it in its queue.
              if (!target.closed) target.socket.write(Buffer.from(data))
            },
          }),
        )
        this.owner = tracker.idle ? null : client
        if (!this.owner) {
          // Served: go to the back of the line so every client gets its turn.
          this.clients.delete(client)
          if (!client.closed) this.clients.add(client)
        }
      }
    } finally {
      this.running = false
    }
  }

  /** A client that leaves mid-sequence or mid-transaction must not leave the session busy. */
  private async drop(client: Client): Promise<void> {
    if (client.closed) return
    client.closed = true
    client.queue = []
    this.clients.delete(client)
    if (this.owner === client) {
      await this.db.runExclusive(async () => {
        await this.db.execProtocolRaw(SYNC)
        if (this.db.isInTransaction()) await this.db.exec('ROLLBACK')
      })
      this.owner = null
    }
    void this.pump()
  }
}
