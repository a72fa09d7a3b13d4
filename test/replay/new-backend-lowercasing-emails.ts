// The new backend with one deliberate change, for the replay tests: PUT /users/:id stores the
// email lowercased. It runs the real new backend on an inner port and sits in front of it on
// NEW_BACKEND_PORT, lowercasing `email` in PUT /users/:id bodies on the way in.
import { createServer, request } from 'node:http';
import { createServer as netServer } from 'node:net';

const publicPort = Number(process.env.NEW_BACKEND_PORT);
const innerPort = await new Promise<number>((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});
process.env.NEW_BACKEND_PORT = String(innerPort);
await import('../../new-backend/src/main.js');

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.method === 'PUT' && /^\/users\/\d+$/.test(req.url ?? '')) {
      try {
        const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        if (typeof json.email === 'string') json.email = json.email.toLowerCase();
        body = Buffer.from(JSON.stringify(json));
      } catch {
        // not JSON: sent as it came
      }
    }
    const headers = { ...req.headers, 'content-length': String(body.length) };
    const inner = request({ host: '127.0.0.1', port: innerPort, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    inner.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    inner.end(body);
  });
}).listen(publicPort, '127.0.0.1');
