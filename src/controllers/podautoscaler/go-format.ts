/**
 * @module
 * A label selector printed as Go's `%v` prints a `*metav1.LabelSelector` (its generated
 * String()), because upstream puts exactly that into some event messages and metric names.
 */
// Upstream: staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/generated.pb.go (LabelSelector.String).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js'
import type { Cached } from '../../api/index.js'

/** `&LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}`; `nil` for none. */
export function goLabelSelector(sel: Cached<LabelSelector> | undefined | null): string {
  if (!sel) return 'nil'
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels![k]},`).join('')
  const exprs = (sel.matchExpressions ?? [])
    .map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('')
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`
}
