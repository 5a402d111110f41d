/**
 * @module
 * The shape of the hand-kept Protobuf message tables in ./tables.
 */

/**
 * One field of a message: its Protobuf field number, its Go `json` struct tag
 * (`name`, `name,omitempty` or `,inline`) and its Go type written in table notation:
 * - scalars: `string`, `bytes`, `bool`, `int32`, `int64`, `double`;
 * - `*T` a Go pointer (sent only when set), `[]T` a repeated field, `map[string]V` a map;
 * - `Name` a message of the same package, `pkg.Name` one of another package;
 * - well-known values with their own JSON form: `meta.Time`, `meta.MicroTime`, `meta.Duration`,
 *   `meta.FieldsV1`, `resource.Quantity`, `intstr.IntOrString`.
 * Fields are listed in Go struct order, which is the order Go's JSON encoder emits them.
 */
export type Field = readonly [no: number, json: string, type: string]

/** A package's messages, by Go type name. */
export type Messages = Readonly<Record<string, readonly Field[]>>
