import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mostRecentScheduleTime, parseSchedule, rfc3339InZone } from './schedule.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

describe('cron schedules', () => {
  it('reads the descriptors and five-field specs in the given zone', () => {
    assert.equal(iso(parseSchedule('@hourly', 'UTC').next(at('2026-01-01T00:30:00Z'))), '2026-01-01T01:00:00.000Z')
    assert.equal(iso(parseSchedule('@midnight', 'UTC').next(at('2026-01-01T00:30:00Z'))), '2026-01-02T00:00:00.000Z')
    assert.equal(iso(parseSchedule('@weekly', 'UTC').next(at('2026-01-01T00:00:00Z'))), '2026-01-04T00:00:00.000Z')
    assert.equal(iso(parseSchedule('30 9 * * 1-5', 'Europe/Berlin').next(at('2026-01-03T00:00:00Z'))), '2026-01-05T08:30:00.000Z')
    assert.equal(iso(parseSchedule('CRON_TZ=America/New_York 0 0 * * *', 'UTC').next(at('2026-01-01T00:00:00Z'))), '2026-01-01T05:00:00.000Z')
  })

  it('runs @every at a fixed delay from the previous whole second', () => {
    assert.throws(() => parseSchedule('@every 5'), /5/)
    assert.equal(iso(parseSchedule('@every 90s').next(at('2026-01-01T00:00:00.700Z'))), '2026-01-01T00:01:30.000Z')
  })

  it('rejects what upstream rejects', () => {
    assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/)
    assert.throws(() => parseSchedule('TZ=Mars/Base * * * * *'), /provided bad location Mars\/Base: unknown time zone Mars\/Base/)
    assert.throws(() => parseSchedule('@every x'), /failed to parse duration/)
  })

  it('finds the most recent missed start time and how many were missed', () => {
    const hourly = parseSchedule('0 * * * *', 'UTC')
    const none = mostRecentScheduleTime(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:59:00Z'), hourly)
    assert.deepEqual([iso(none.mostRecentMs), none.missed], [undefined, 'none'])
    const one = mostRecentScheduleTime(at('2026-01-01T00:00:00Z'), at('2026-01-01T01:30:00Z'), hourly)
    assert.deepEqual([iso(one.mostRecentMs), one.missed], ['2026-01-01T01:00:00.000Z', 'none'])
    const few = mostRecentScheduleTime(at('2026-01-01T00:00:00Z'), at('2026-01-01T05:10:00Z'), hourly)
    assert.deepEqual([iso(few.mostRecentMs), few.missed], ['2026-01-01T05:00:00.000Z', 'few'])
    const many = mostRecentScheduleTime(at('2026-01-01T00:00:00Z'), at('2026-01-10T00:10:00Z'), hourly)
    assert.deepEqual([iso(many.mostRecentMs), many.missed], ['2026-01-10T00:00:00.000Z', 'many'])
    const irregular = parseSchedule('30 6-16/4 * * 1-5', 'UTC')
    const r = mostRecentScheduleTime(at('2026-01-05T00:00:00Z'), at('2026-01-07T12:00:00Z'), irregular)
    assert.equal(iso(r.mostRecentMs), '2026-01-07T10:30:00.000Z')
  })

  it('writes times in a zone as Go writes RFC 3339', () => {
    assert.equal(rfc3339InZone(at('2026-01-02T00:00:00Z'), 'Asia/Tokyo'), '2026-01-02T09:00:00+09:00')
    assert.equal(rfc3339InZone(at('2026-07-01T12:00:00Z'), 'America/St_Johns'), '2026-07-01T09:30:00-02:30')
    assert.equal(rfc3339InZone(at('2026-01-01T12:00:00Z'), 'Europe/London'), '2026-01-01T12:00:00Z')
    assert.equal(rfc3339InZone(at('2026-01-01T12:00:00Z'), ''), '2026-01-01T12:00:00Z')
  })
})
