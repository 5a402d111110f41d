/**
 * @module
 * IANA time zone names as Go's time.LoadLocation accepts them (CronJob `timeZone`, `TZ=`
 * prefixes): validation in the registry and scheduling in the CronJob controller agree.
 */

/** True when the runtime knows the IANA zone (Go's time.LoadLocation, approximately). */
export function isKnownTimeZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}
