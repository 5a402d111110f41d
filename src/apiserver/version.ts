/**
 * @module
 * The Kubernetes version this server speaks. kubectl's dispatcher picks the kubectl to run
 * by `major`/`minor`, so these say 1.32 (kubectl-contract.md finding 1).
 */
const KUBELITE_VERSION = '0.1.0'

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: `v1.32.4+kubelite-${KUBELITE_VERSION}`,
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-22T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
}
