/* global document, window, fetch */
// The page calls the backend directly from the browser, at the fixed LoadBalancer address
// that config.js names. That is another origin than the page's own, so the backend must
// answer with CORS headers naming this page's origin (its ALLOWED_ORIGIN).
const $ = (id) => document.getElementById(id)
const api = String(window.RECIPE_CONFIG?.backendUrl ?? 'http://127.0.1.100:8080').replace(/\/$/, '')

function status(text) { $('status').textContent = text }

async function call(method, path, body) {
  const res = await fetch(api + path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body && JSON.stringify(body),
  })
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}))
  if (data.pod) $('pod').textContent = data.pod
  if (!res.ok) throw new Error(data.message || `${method} ${path}: ${res.status}`)
  return data
}

function render(recipes) {
  $('recipe-list').replaceChildren(...recipes.map((r) => {
    const li = document.createElement('li')
    const name = document.createElement('strong')
    name.textContent = r.name
    const ingredients = document.createElement('p')
    ingredients.textContent = r.ingredients.join(', ')
    const instructions = document.createElement('p')
    instructions.textContent = r.instructions
    const del = document.createElement('button')
    del.textContent = 'Delete'
    del.addEventListener('click', () => call('DELETE', `/recipes/${r.id}`).then(load).catch((err) => status(err.message)))
    li.append(name, ingredients, instructions, del)
    return li
  }))
}

async function load() {
  try {
    const { recipes } = await call('GET', '/recipes')
    render(recipes)
    status('')
  } catch (err) {
    // A CORS refusal surfaces here as a TypeError ("Failed to fetch"): see the browser console.
    status(`Could not load recipes from ${api}: ${err.message}`)
  }
}

$('backend-url').textContent = api
$('recipe-form').addEventListener('submit', (e) => {
  e.preventDefault()
  call('POST', '/recipes', { name: $('name').value, ingredients: $('ingredients').value, instructions: $('instructions').value })
    .then(() => { $('recipe-form').reset(); return load() })
    .catch((err) => status(err.message))
})
$('reload').addEventListener('click', load)
load()
