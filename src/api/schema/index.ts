// The schema table's public surface: lookups, kind → type names, strict field validation,
// and type checking of decoded bodies.
export { allSchemas, lookupSchema, schemaNameForKind } from './table.js'
export { findUnknownFields } from './unknown-fields.js'
export { firstTypeError } from './type-errors.js'
export type { FieldSchema, Primitive, SchemaLookup, TypeRef, TypeSchema } from './types.js'
