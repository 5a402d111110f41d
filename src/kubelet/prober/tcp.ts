/**
 * @module
 * The tcpSocket probe: healthy when a TCP connection opens within the timeout.
 */
import { connect } from 'node:net'
import { dialError, failure, joinHostPort, success, type ProbeOutcome } from './outcome.js'

// Upstream: pkg/probe/tcp/tcp.go (DoTCPProbe). Errors become failures, never "errored".
/** Opens and closes one connection to host:port. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port)
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(failure(`dial tcp ${addr}: i/o timeout`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.destroy() // a probe only asks whether the port accepts; send nothing
      resolve(success())
    })
    socket.on('error', (err) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(failure(dialError(addr, err)))
    })
  })
}
