/**
 * @module
 * The cluster's PKI and kubeconfig files. Re-exports only.
 */
export { ensurePki, issueClientCert, ADMIN_SUBJECT, CA_COMMON_NAME, PKI_FILES } from './pki.js'
export { servingSans, missingSans, canonicalIp, DEFAULT_SERVICE_IP } from './sans.js'
export { writeFileAtomic, readIfExists } from './files.js'
export {
  buildKubeconfig, mergeKubeconfig, defaultKubeconfigPath, type Kubeconfig, type KubeconfigInput,
} from './kubeconfig.js'
export type { CertAndKey, CertSubject, EnsurePkiOptions, Pki, SanSet } from './types.js'
