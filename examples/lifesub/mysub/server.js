// mysub: the subscription catalog and the logged-in member's subscriptions.
//   GET    /services                       the catalog (no token needed)
//   GET    /subscriptions                  200 {subscriptions, monthlyTotal}
//   POST   /subscriptions {serviceId}      201; 404 unknown service; 409 already subscribed
//   DELETE /subscriptions/:serviceId       200 when canceled; 404 when not subscribed
import { HttpError, loadConfig, serve } from '../lib/service.js'

const config = loadConfig('mysub')
const memberId = (user) => Number(user().sub)

serve(config, {
  ready: 'SELECT 1 FROM subscriptions, services LIMIT 1',
  routes: {
    'GET /': async () => [200, { service: 'mysub', endpoints: ['GET /services', 'GET /subscriptions', 'POST /subscriptions', 'DELETE /subscriptions/:serviceId'] }],
    'GET /services': async ({ db }) => {
      const { rows } = await db.query('SELECT id, name, category, monthly_fee AS "monthlyFee" FROM services ORDER BY category, name')
      return [200, { services: rows }]
    },
    'GET /subscriptions': async ({ db, user }) => {
      const { rows } = await db.query(
        `SELECT s.id AS "serviceId", s.name, s.category, s.monthly_fee AS "monthlyFee", x.subscribed_at AS "subscribedAt"
           FROM subscriptions x JOIN services s ON s.id = x.service_id
          WHERE x.member_id = $1 ORDER BY x.subscribed_at`, [memberId(user)])
      return [200, { subscriptions: rows, monthlyTotal: rows.reduce((t, r) => t + r.monthlyFee, 0) }]
    },
    'POST /subscriptions': async ({ db, user, body }) => {
      const id = memberId(user)
      const { serviceId } = await body()
      if (typeof serviceId !== 'string' || !serviceId) throw new HttpError(422, 'serviceId is required.')
      const svc = await db.query('SELECT name FROM services WHERE id = $1', [serviceId])
      if (!svc.rows.length) return [404, { message: `There is no service "${serviceId}".` }]
      const { rowCount } = await db.query(
        'INSERT INTO subscriptions (member_id, service_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, serviceId])
      if (!rowCount) return [409, { message: `Already subscribed to ${svc.rows[0].name}.` }]
      console.log(`mysub: member ${id} subscribed to ${serviceId}`)
      return [201, { message: `Subscribed to ${svc.rows[0].name}.`, serviceId }]
    },
    'DELETE /subscriptions/:serviceId': async ({ db, user, params }) => {
      const id = memberId(user)
      const { rowCount } = await db.query(
        'DELETE FROM subscriptions WHERE member_id = $1 AND service_id = $2', [id, params.serviceId])
      if (!rowCount) return [404, { message: `Not subscribed to "${params.serviceId}".` }]
      console.log(`mysub: member ${id} canceled ${params.serviceId}`)
      return [200, { message: 'Subscription canceled.', serviceId: params.serviceId }]
    },
  },
})
