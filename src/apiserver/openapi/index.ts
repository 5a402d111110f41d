// OpenAPI documents (v3 per group-version, v2 swagger) built from the schema table.
export { openApiV3, type OpenApiHandler, type OpenApiResponse } from './handler.js'
export { groupVersionDocument, swaggerDocument } from './documents.js'
export { swaggerToProtobuf } from './v2-protobuf.js'
