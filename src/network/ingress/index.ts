/**
 * @module
 * kubelite's ingress controller (IngressClasses `nginx` and `kubelite`): control loop and data
 * plane. Re-exports only.
 */
export { startIngressController, type IngressController, type IngressControllerOptions } from './controller.js'
export { createIngressClasses, ingressClassFilter, NGINX_CONTROLLER, KUBELITE_CONTROLLER } from './classes.js'
export { createDefaultCertificate, type CertAndKey } from './certificates.js'
export { parseAnnotations, type IngressConfig, type ParsedAnnotations } from './annotations.js'
export { buildRoutes, findLocation, findServer, type RouteTable } from './routes.js'
export type { StatusAddress } from './status.js'
