// recommend: a category for the logged-in member, from their own subscriptions (the
// category they spend most on), with the services of that category they do not have yet.
// A member without subscriptions gets the category most subscribed by everyone. Each
// answer is recorded in the recommendations table.
//   GET /category    200 {category, reason, basedOn, suggestions}
//   GET /history     200 {recommendations} (the last 10)
import { loadConfig, serve } from '../lib/service.js'

const config = loadConfig('recommend')

serve(config, {
  ready: 'SELECT 1 FROM recommendations, subscriptions, services LIMIT 1',
  routes: {
    'GET /': async () => [200, { service: 'recommend', endpoints: ['GET /category', 'GET /history'] }],
    'GET /category': async ({ db, user }) => {
      const id = Number(user().sub)
      const mine = await db.query(
        `SELECT s.category, count(*)::int AS subscriptions, sum(s.monthly_fee)::int AS "monthlySpend"
           FROM subscriptions x JOIN services s ON s.id = x.service_id
          WHERE x.member_id = $1 GROUP BY s.category
          ORDER BY subscriptions DESC, "monthlySpend" DESC, s.category`, [id])
      let category, reason
      if (mine.rows.length) {
        category = mine.rows[0].category
        reason = `You subscribe to ${mine.rows[0].subscriptions} ${category} service(s): more of what you use most.`
      } else {
        const popular = await db.query(
          `SELECT s.category FROM services s LEFT JOIN subscriptions x ON x.service_id = s.id
            GROUP BY s.category ORDER BY count(x.member_id) DESC, s.category LIMIT 1`)
        category = popular.rows[0]?.category ?? 'video'
        reason = 'You have no subscriptions yet: this is the category members subscribe to most.'
      }
      const suggestions = await db.query(
        `SELECT id, name, monthly_fee AS "monthlyFee" FROM services
          WHERE category = $1 AND id NOT IN (SELECT service_id FROM subscriptions WHERE member_id = $2)
          ORDER BY monthly_fee, name`, [category, id])
      await db.query('INSERT INTO recommendations (member_id, category) VALUES ($1, $2)', [id, category])
      return [200, { category, reason, basedOn: mine.rows, suggestions: suggestions.rows }]
    },
    'GET /history': async ({ db, user }) => {
      const { rows } = await db.query(
        `SELECT category, created_at AS "createdAt" FROM recommendations
          WHERE member_id = $1 ORDER BY id DESC LIMIT 10`, [Number(user().sub)])
      return [200, { recommendations: rows }]
    },
  },
})
