import * as net from 'node:net';

/**
 * The one receive buffer of every connection. Read callbacks run one at a time on the event loop
 * and the parser copies whatever it keeps past a callback, so connections can share it.
 */
const RECEIVE_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The private parts of an accepted socket this module moves (stable since Node 12). */
interface AcceptedSocket extends net.Socket {
  _handle: object | null;
}

/**
 * Moves a connection accepted with `pauseOnConnect` to a Socket that reads with `onread`: each
 * read lands in RECEIVE_BUFFER and reaches `receive` (the buffer and the bytes read) directly, without a new Buffer and a trip
 * through the Readable stream per read ('data'). At -P 1 that is about a fifth of the server's
 * CPU per request (docs/BENCHMARKS.md). Node offers `onread` only to sockets it constructs from
 * options, so the accepted handle goes to a new Socket (the `handle` option net.Server itself uses)
 * and the accepted shell, which never read, is destroyed with it so the server's connection count
 * (which server.close() waits on) stays right.
 */
export function readingSocket(accepted: net.Socket, receive: (buffer: Buffer, length: number) => void): net.Socket {
  const shell = accepted as AcceptedSocket;
  const handle = shell._handle;
  shell._handle = null;
  const options = {
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: RECEIVE_BUFFER,
      callback: (n: number, buf: Buffer): boolean => {
        receive(buf, n);
        if (n < buf.length || socket.destroyed) return true;
        // A full read means more is waiting, and libuv would read again at once (up to 32 times),
        // so one client streaming a huge request could hold the loop for milliseconds. Like Redis,
        // which reads once per client per event-loop turn, stop here and read on the next turn.
        setImmediate(resumeReading);
        return false;
      },
    },
  } as net.SocketConstructorOpts;
  const socket = new net.Socket(options);
  // Only a socket nobody paused meanwhile (a client deferring its commands pauses its own).
  const resumeReading = (): void => {
    if (!socket.destroyed && !socket.isPaused()) socket.resume();
  };
  socket.on('close', () => shell.destroy());
  return socket;
}
