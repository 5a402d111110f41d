/**
 * @module
 * Helpers for the networking suites: small HTTP servers as pods (they answer with their pod's
 * name and the request path, so a test sees which replica served it), a client pod, and a curl
 * run from the host.
 */
import { spawnSync } from 'node:child_process'
import { yamlOf } from './workloads-helpers.js'

/** A python3 HTTP server on `port` answering `<hostname> <path>` (and echoing request headers on /headers). */
export const ECHO_SERVER = (port: number) => [
  'import http.server,socket,json',
  'class H(http.server.BaseHTTPRequestHandler):',
  '  protocol_version="HTTP/1.1"',
  '  def do_GET(s):',
  '    b=(json.dumps(dict(s.headers)) if s.path=="/headers" else socket.gethostname()+" "+s.path).encode()',
  '    s.send_response(200); s.send_header("Content-Length",str(len(b))); s.end_headers(); s.wfile.write(b)',
  '  do_POST=do_GET',
  '  def log_message(s,*a): pass',
  `http.server.ThreadingHTTPServer(("0.0.0.0",${port}),H).serve_forever()`,
].join('\n')

/** A Deployment of echo servers labelled app=<name>, with a readiness probe on the port. */
export function echoDeployment(name: string, replicas: number, port = 8080, extra: string[] = []): string {
  return yamlOf([
    'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}}`,
    'spec:', `  replicas: ${replicas}`, `  selector: {matchLabels: {app: ${name}}}`,
    '  template:', `    metadata: {labels: {app: ${name}}}`,
    '    spec:', '      terminationGracePeriodSeconds: 1', '      containers:', `      - name: ${name}`, '        image: python:3',
    `        command: [python3, -c, ${JSON.stringify(ECHO_SERVER(port))}]`,
    `        ports: [{name: http, containerPort: ${port}}]`,
    ...(extra.length ? extra : [`        readinessProbe: {tcpSocket: {port: ${port}}, periodSeconds: 1}`]),
  ])
}

/** A long-running client pod with the host's tools (curl, getent, dig, python3). */
export const clientPod = (name = 'client') => yamlOf([
  'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}}`,
  'spec:', '  terminationGracePeriodSeconds: 1', '  containers:', '  - name: c', '    image: busybox', '    command: [sleep, "3600"]',
])

/** curl from the host; returns the body, or undefined on failure. */
export function hostCurl(url: string, args: string[] = []): { code: number; body: string; stderr: string } {
  const r = spawnSync('curl', ['-s', '-S', '--max-time', '5', ...args, url], { encoding: 'utf8' })
  return { code: r.status ?? -1, body: r.stdout ?? '', stderr: r.stderr ?? '' }
}
