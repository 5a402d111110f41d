/* global document, sessionStorage, fetch */
// The page talks only to its own origin: /users/ reaches users-api and /api/ tasks-api
// through the reverse proxy (nginx or frontend-node), so it needs no CORS and no addresses.
const $ = (id) => document.getElementById(id)
let token = sessionStorage.getItem('token')

function status(text) { $('status').textContent = text }

async function call(method, url, body) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(url, { method, headers, body: body && JSON.stringify(body) })
  const data = await res.json().catch(() => ({}))
  if (!res.ok) throw new Error(data.message || `${method} ${url}: ${res.status}`)
  return data
}

function show() {
  $('signin').hidden = Boolean(token)
  $('tasks').hidden = !token
  if (token) loadTasks()
}

async function loadTasks() {
  try {
    const { tasks } = await call('GET', 'api/tasks')
    const list = $('task-list')
    list.replaceChildren(...tasks.map((t) => {
      const li = document.createElement('li')
      const title = document.createElement('strong')
      title.textContent = t.title
      li.append(title, document.createTextNode(t.text ? ` — ${t.text}` : ''))
      return li
    }))
    status('')
  } catch (err) { status(err.message) }
}

function credentials() { return { email: $('email').value, password: $('password').value } }

async function login() {
  const { token: t } = await call('POST', 'users/login', credentials())
  token = t
  sessionStorage.setItem('token', t)
  show()
}

$('signin-form').addEventListener('submit', (e) => { e.preventDefault(); login().catch((err) => status(err.message)) })
$('signup').addEventListener('click', () => {
  if (!$('signin-form').reportValidity()) return
  call('POST', 'users/signup', credentials()).then(login).catch((err) => status(err.message))
})
$('task-form').addEventListener('submit', (e) => {
  e.preventDefault()
  call('POST', 'api/tasks', { title: $('title').value, text: $('text').value })
    .then(() => { $('title').value = ''; $('text').value = ''; return loadTasks() })
    .catch((err) => status(err.message))
})
$('logout').addEventListener('click', () => { token = null; sessionStorage.removeItem('token'); show() })
show()
