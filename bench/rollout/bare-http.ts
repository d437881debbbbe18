/**
 * The raw engine the DDI gateway is built on: Express 5 answering the same JSON (poll) and
 * accepting the same JSON body (feedback), with no auth, no database, no queue. Prints its port.
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
const body = process.argv[2] ?? '{}';
app.get('/:tenant/controller/v1/:controllerId', (_req, res) => {
  res.status(200).type('application/json').send(body);
});
app.post('/:tenant/controller/v1/:controllerId/deploymentBase/:actionId/feedback', express.json(), (_req, res) => {
  res.status(200).end();
});
const server = app.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
