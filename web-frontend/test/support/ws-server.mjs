// A minimal WebSocket server side (RFC 6455: handshake, text frames, ping/pong, close) for the fake gateway.
// Node 20 has no WebSocket server built in, and the fake needs no more than this.

import { createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One accepted WebSocket connection. */
export class ServerSocket {
  /** @param {import('node:net').Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.open = true;
    /** @type {((text: string) => void)[]} */
    this.messageListeners = [];
    /** @type {(() => void)[]} */
    this.closeListeners = [];
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('close', () => this.closed());
    socket.on('error', () => this.closed());
  }

  /** @param {(text: string) => void} fn */
  onMessage(fn) { this.messageListeners.push(fn); }

  /** @param {() => void} fn */
  onClose(fn) { this.closeListeners.push(fn); }

  /** @param {string} text */
  send(text) {
    if (!this.open) return;
    this.socket.write(frame(0x1, Buffer.from(text, 'utf8')));
  }

  /** @param {unknown} value */
  sendJson(value) {
    this.send(JSON.stringify(value));
  }

  /**
   * Closes with a close frame.
   * @param {number} [code]
   * @param {string} [reason]
   */
  close(code = 1000, reason = '') {
    if (!this.open) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.write(frame(0x8, payload));
    this.socket.end();
    this.closed();
  }

  /** Drops the TCP connection without a close frame (a network failure, as the page sees it). */
  kill() {
    this.socket.destroy();
    this.closed();
  }

  closed() {
    if (!this.open) return;
    this.open = false;
    for (const fn of this.closeListeners) fn();
  }

  /** @param {Buffer} chunk */
  receive(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const opcode = this.buffer[0] & 0x0f;
      const masked = (this.buffer[1] & 0x80) !== 0;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return;
      const payload = Buffer.from(this.buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= this.buffer[maskOffset + (i % 4)];
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === 0x1) {
        const text = payload.toString('utf8');
        for (const fn of this.messageListeners) fn(text);
      } else if (opcode === 0x8) {
        this.close();
        return;
      } else if (opcode === 0x9) {
        if (this.open) this.socket.write(frame(0xa, payload));
      }
    }
  }
}

/**
 * @param {number} opcode
 * @param {Buffer} payload
 */
function frame(opcode, payload) {
  const length = payload.length;
  let header;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/**
 * Completes a WebSocket handshake on an HTTP upgrade request.
 * @param {import('node:http').IncomingMessage} request
 * @param {import('node:net').Socket} socket
 * @returns {ServerSocket | null}
 */
export function acceptUpgrade(request, socket) {
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string') {
    rejectUpgrade(socket, 400, 'Bad Request');
    return null;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
    + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.setNoDelay(true);
  return new ServerSocket(socket);
}

/**
 * Refuses an upgrade with an HTTP status.
 * @param {import('node:net').Socket} socket
 * @param {number} status
 * @param {string} text
 */
export function rejectUpgrade(socket, status, text) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
