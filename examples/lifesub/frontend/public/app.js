// The LifeSub page: every call goes to the Ingress (window.LIFESUB_API, another origin than
// this page's), so the backends must allow this page's origin in ALLOWED_ORIGINS (CORS).
const api = (window.LIFESUB_API || 'http://127.0.0.1').replace(/\/$/, '')
const $ = (id) => document.getElementById(id)
let token = sessionStorage.getItem('lifesub-token')
const money = (cents) => `$${(cents / 100).toFixed(2)}`

async function call(path, { method = 'GET', body } = {}) {
  const headers = {}
  if (body) headers['Content-Type'] = 'application/json'
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(api + path, { method, headers, body: body && JSON.stringify(body) })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(data.message || `${method} ${path}: ${res.status}`)
  return data
}

function say(text, isError = false) {
  $('message').textContent = text
  $('message').className = isError ? 'error' : ''
}

function item(text, label, onClick) {
  const li = document.createElement('li')
  li.append(text)
  const b = document.createElement('button')
  b.textContent = label
  b.onclick = () => onClick().catch((e) => say(e.message, true))
  li.append(' ', b)
  return li
}

async function refresh() {
  const [me, mine, catalog] = await Promise.all([call('/member/me'), call('/mysub/subscriptions'), call('/mysub/services')])
  $('who').textContent = `${me.member.name} <${me.member.email}>`
  $('total').textContent = `${money(mine.monthlyTotal)} a month`
  const have = new Set(mine.subscriptions.map((s) => s.serviceId))
  $('mine').replaceChildren(...mine.subscriptions.map((s) => item(`${s.name} (${s.category}, ${money(s.monthlyFee)})`, 'Cancel', async () => {
    say((await call(`/mysub/subscriptions/${encodeURIComponent(s.serviceId)}`, { method: 'DELETE' })).message)
    await refresh()
  })))
  $('catalog').replaceChildren(...catalog.services.filter((s) => !have.has(s.id)).map((s) => item(`${s.name} (${s.category}, ${money(s.monthlyFee)})`, 'Subscribe', async () => {
    say((await call('/mysub/subscriptions', { method: 'POST', body: { serviceId: s.id } })).message)
    await refresh()
  })))
}

function show(loggedIn) {
  $('auth').hidden = loggedIn
  $('app').hidden = !loggedIn
}

$('api').textContent = api
$('auth-form').onsubmit = async (ev) => {
  ev.preventDefault()
  const form = new FormData(ev.target)
  const creds = { email: form.get('email'), password: form.get('password') }
  try {
    if (ev.submitter?.value === 'signup') await call('/member/signup', { method: 'POST', body: creds })
    token = (await call('/member/login', { method: 'POST', body: creds })).token
    sessionStorage.setItem('lifesub-token', token)
    show(true)
    say('')
    await refresh()
  } catch (e) {
    say(e.message, true)
  }
}
$('logout').onclick = () => {
  token = null
  sessionStorage.removeItem('lifesub-token')
  show(false)
}
$('recommend').onclick = async () => {
  try {
    const r = await call('/recommend/category')
    const names = r.suggestions.map((s) => s.name).join(', ') || 'you have them all'
    $('recommendation').replaceChildren(Object.assign(document.createElement('p'), { textContent: `${r.category}: ${r.reason} Try: ${names}.` }), $('recommend'))
  } catch (e) {
    say(e.message, true)
  }
}

if (token) {
  show(true)
  refresh().catch(() => { token = null; sessionStorage.removeItem('lifesub-token'); show(false) })
}
