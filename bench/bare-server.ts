// Baseline for bench/serve.ts: a bare Fastify app with one POST route that parses the same JSON body
// and returns a constant. Prints "listening <port>" when ready.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const answer = { persona: { id: '00000000-0000-4000-8000-000000000000', key: 'constant', name: 'Constant' } };
app.post('/v1/assign', async () => answer);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
