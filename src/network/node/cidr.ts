/**
 * @module
 * IPv4 CIDR arithmetic for the node's pod range.
 */

export type Ipv4Cidr = { base: number; prefix: number; size: number }

/** Parses "10.244.0.0/24"; throws on anything that is not an IPv4 CIDR. */
export function parseCidr(cidr: string): Ipv4Cidr {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim())
  const octets = m?.slice(1, 5).map(Number)
  const prefix = Number(m?.[5])
  if (!m || octets!.some((o) => o > 255) || prefix > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`)
  const size = 2 ** (32 - prefix)
  const addr = octets!.reduce((a, o) => a * 256 + o, 0)
  return { base: addr - (addr % size), prefix, size }
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')
}

/** The `offset`th address of the range: 1 is the node (gateway), 2.. are pods. */
export function addressAt(cidr: Ipv4Cidr, offset: number): string {
  return formatIp(cidr.base + offset)
}

/** The range in canonical form ("10.96.0.0/12"). */
export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`
}
