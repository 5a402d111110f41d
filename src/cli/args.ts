/**
 * @module
 * Flag parsing shared by the commands: node:util parseArgs in strict mode, with its errors
 * rewritten into short usage messages (exit status 2, like cobra-based Kubernetes tools).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** Bad command line: main prints the message and a pointer to --help, then exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  constructor(message: string, readonly command = '') {
    super(message)
  }
}

export type FlagSpec = NonNullable<ParseArgsConfig['options']>

const quoted = (message: string) => /'([^']+)'/.exec(message)?.[1] ?? ''

/** Parses `args` against `flags` (plus --help/-h); unknown flags and stray words are UsageErrors. */
export function parseFlags<F extends FlagSpec>(command: string, args: string[], flags: F) {
  return parseCommandLine(command, args, flags, false).values
}

/** As parseFlags, for a command that also takes arguments: its flags and its positionals. */
export function parseCommandLine<F extends FlagSpec>(command: string, args: string[], flags: F, allowPositionals = true) {
  try {
    return parseArgs({
      args,
      options: { ...flags, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    })
  } catch (err) {
    const { code, message } = err as { code?: string; message: string }
    const name = quoted(message).split(' ')[0] ?? ''
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown flag: ${name}`, command)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(/argument missing/.test(message)
        ? `flag needs an argument: ${name}` : `flag ${name} does not take a value`, command)
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument: ${quoted(message)}`, command)
    throw err
  }
}

/** A TCP port from a flag value: an integer 0..65535. */
export function parsePort(command: string, flag: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`invalid value "${value}" for ${flag}: want a port number 0-65535`, command)
  return port
}

/** Formats a help text: a usage line, a description, and aligned flag lines. */
export function helpText(usage: string, description: string, flags: [string, string][]): string {
  const width = Math.max(...flags.map(([f]) => f.length))
  const lines = flags.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`)
  return `Usage: ${usage}\n\n${description}\n\nFlags:\n${lines.join('\n')}\n`
}
