// A tiny HTTP server. With SELF_TEST=1 it answers one request from itself, prints the
// answer and exits: how the image tests check that the built image runs.
const http = require('node:http')
const greeting = `hello from ${process.env.APP_NAME || 'node-app'}`
const server = http.createServer((_req, res) => res.end(`${greeting}\n`))
server.listen(Number(process.env.PORT ?? 8080), '0.0.0.0', () => {
  const { port } = server.address()
  console.log(`listening on 0.0.0.0:${port}`)
  if (process.env.SELF_TEST !== '1') return
  http.get({ host: '127.0.0.1', port, path: '/' }, (res) => {
    let body = ''
    res.on('data', (c) => { body += c })
    res.on('end', () => { process.stdout.write(body); server.close() })
  })
})
