/**
 * @module
 * The node IPAM controller's range allocator: every Node gets a Pod CIDR (a /24 of the
 * cluster CIDR by default) in spec.podCIDR and spec.podCIDRs, which its kubelet then uses for
 * the pods' addresses. CIDRs a node already has are taken as in use, so sim nodes that chose
 * their own and real agents never collide.
 */
// Upstream: pkg/controller/nodeipam/ipam/range_allocator.go (occupyCIDRs, AllocateOrOccupyCIDR,
// ReleaseCIDR, updateCIDRsAllocation), cidrset/cidr_set.go (next free block), events
// CIDRNotAvailable on the Node.
import type { Node } from 'kubernetes-types/core/v1.js'
import type { Controller, ControllerContext } from '../../client/index.js'

export type RangeAllocatorOptions = {
  /** --cluster-cidr (10.244.0.0/16). */
  clusterCIDR?: string
  /** --node-cidr-mask-size (24). */
  nodeMaskSize?: number
}

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.')

/** The blocks of `cidr` of size /mask, as a counter over their indexes. */
export function cidrSet(cidr: string, mask: number) {
  const [base, bitsText] = cidr.split('/')
  const bits = Number(bitsText)
  if (!base || !Number.isInteger(bits) || bits > mask || mask > 32) throw new Error(`invalid cluster CIDR ${cidr} for /${mask} blocks`)
  const start = toInt(base) - (toInt(base) % 2 ** (32 - bits))
  const size = 2 ** (mask - bits)
  const step = 2 ** (32 - mask)
  const used = new Set<number>()
  let next = 0
  const indexOf = (block: string) => {
    const [ip, m] = block.split('/')
    if (!ip || Number(m) !== mask) return undefined
    const i = (toInt(ip) - start) / step
    return Number.isInteger(i) && i >= 0 && i < size ? i : undefined
  }
  return {
    occupy(block: string) {
      const i = indexOf(block)
      if (i !== undefined) used.add(i)
    },
    release(block: string) {
      const i = indexOf(block)
      if (i !== undefined) used.delete(i)
    },
    /** The next free block after the last one given out (upstream wraps round the same way). */
    allocate(): string | undefined {
      for (let k = 0; k < size; k++) {
        const i = (next + k) % size
        if (!used.has(i)) {
          used.add(i)
          next = (i + 1) % size
          return `${toIp(start + i * step)}/${mask}`
        }
      }
      return undefined
    },
  }
}

export function nodeIpamController(ctx: ControllerContext, opts: RangeAllocatorOptions = {}): Controller {
  const nodes = ctx.informers.of<Node>('v1', 'Node')
  const set = cidrSet(opts.clusterCIDR ?? '10.244.0.0/16', opts.nodeMaskSize ?? 24)
  const recorder = ctx.recorder('cidrAllocator')
  /** Blocks handed out by us and not yet seen on their node, by node name. */
  const pending = new Map<string, string>()
  const owners = new Map<string, string[]>()
  nodes.subscribe((ev) => {
    const name = ev.obj.metadata?.name ?? ''
    if (ev.type === 'delete') {
      for (const c of owners.get(name) ?? []) set.release(c)
      owners.delete(name)
      return
    }
    const cidrs = ev.obj.spec?.podCIDRs ?? (ev.obj.spec?.podCIDR ? [ev.obj.spec.podCIDR] : [])
    if (cidrs.length) {
      for (const c of cidrs) set.occupy(c)
      owners.set(name, [...cidrs])
      pending.delete(name)
    }
  })
  return {
    name: 'node-ipam-controller',
    triggers: [nodes.on((ev) => (ev.type === 'delete' ? undefined : [ev.obj.metadata?.name ?? '']))],
    async sync(name, signal) {
      const node = nodes.get(name)
      if (!node || node.spec?.podCIDR || node.spec?.podCIDRs?.length) return
      let cidr = pending.get(name)
      if (!cidr) {
        cidr = set.allocate()
        if (!cidr) {
          recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`)
          return { requeueAfterMs: 30_000 }
        }
        pending.set(name, cidr)
      }
      await ctx.client.patch({ apiVersion: 'v1', kind: 'Node' }, name, undefined, { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, { type: 'merge', signal })
    },
  }
}
