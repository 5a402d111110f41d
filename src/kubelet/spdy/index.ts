// SPDY/3.1, as kubectl and client-go speak it for exec, attach and port-forward. Re-exports only.
export { SPDY3_DICTIONARY } from './dictionary.js'
export { FrameType, RstStatus, SpdyCodec, SpdyProtocolError, type SpdyFrame, type SpdyHeaders } from './frames.js'
export { DEFAULT_WINDOW, SpdySession, SpdyStream, type SpdySessionOptions } from './session.js'
