// The root CA publisher's public surface. Re-exports only.
export { rootCACertPublisher, ROOT_CA_CONFIGMAP } from './root-ca-cert-publisher.js'
