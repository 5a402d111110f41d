// Protobuf request bodies (kubectl ≥ 1.32): the folder's public surface. Re-exports only.
export { decodeProtobufObject, PROTOBUF_MEDIA_TYPE, type DecodedObject } from './decode-object.js'
