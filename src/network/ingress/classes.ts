/**
 * @module
 * The IngressClasses kubelite serves and the rule deciding whether an Ingress is ours: its
 * `spec.ingressClassName`, else the legacy `kubernetes.io/ingress.class` annotation, else the
 * cluster's default class.
 */
// Upstream: ingress-nginx internal/ingress/controller/store/store.go (ingress class checks) and
// the IngressClass default-class annotation (networking/v1). Difference: a class-less Ingress is
// ours only while one of our classes is the default (upstream needs --watch-ingress-without-class).
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js'
import type { Cached } from '../../api/index.js'
import { INGRESS_CONTROLLERS, ingressClasses } from '../../registry/bootstrap-objects.js'

export const NGINX_CONTROLLER = INGRESS_CONTROLLERS.nginx
export const KUBELITE_CONTROLLER = INGRESS_CONTROLLERS.kubelite
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class'
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class'

const OURS = new Set<string>([NGINX_CONTROLLER, KUBELITE_CONTROLLER])

/** The two IngressClasses the server bootstraps (the registry's own objects): `kubelite`, the default, and `nginx`. */
export const createIngressClasses = (): IngressClass[] => ingressClasses() as unknown as IngressClass[]

/** A predicate over Ingresses: true for those this controller serves, given the current classes. */
export function ingressClassFilter(classes: readonly Cached<IngressClass>[]): (ing: Cached<Ingress>) => boolean {
  const ours = new Set<string>()
  let defaultIsOurs = false
  let hasDefault = false
  for (const c of classes) {
    const mine = OURS.has(c.spec?.controller ?? '')
    if (mine) ours.add(c.metadata?.name ?? '')
    if (c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true') {
      hasDefault = true
      defaultIsOurs ||= mine
    }
  }
  // With no default class at all, kubelite's class is the default: its own bootstrap creates it so.
  const classless = defaultIsOurs || !hasDefault
  return function isOurs(ing) {
    const name = ing.spec?.ingressClassName
    if (name) return ours.has(name)
    const legacy = ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION]
    // The annotation predates IngressClass objects: upstream compares it with its class name.
    if (legacy !== undefined) return legacy === 'nginx' || legacy === 'kubelite' || ours.has(legacy)
    return classless
  }
}
